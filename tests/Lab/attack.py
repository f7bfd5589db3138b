#!/usr/bin/env python3
"""The hostile-LAN attacker of tests/Lab/HostileLanTests, run with scapy inside the attacker's
network namespace (wl-att). Every attack is bounded in count and time and stops by itself; all
traffic goes to the lab's own namespaces.

  attack.py flows IFACE ROUTER_MAC SRC4 SRC6 DST4 DST6 COUNT
      COUNT UDP flows per family from the device's own addresses (distinct source ports).
  attack.py spoofflows IFACE ROUTER_MAC DST4 DST6 COUNT
      COUNT UDP flows per family from forged sources (random LAN IPv4 and ULA addresses).
  attack.py sources IFACE ROUTER_MAC DST4 DST6 SRC [SRC ...]
      one UDP datagram from each forged source (IPv4 or IPv6).
  attack.py hijack IFACE ROUTER_MAC VICTIM4 DST4 SECONDS RATE
      UDP from the victim's address at RATE frames/s for SECONDS.
  attack.py echo IFACE DST_MAC SRC4 DST4 COUNT
      forged ICMP echo requests (broadcast or unicast to the host's kernel).
"""
import random
import sys
import time

from scapy.all import Ether, IP, IPv6, UDP, ICMP, Raw, conf, get_if_hwaddr, sendp  # noqa: E402

conf.verb = 0
SRC_MAC = None  # the device's own MAC, set in main: scapy leaves it 00:00:00:00:00:00 for IPv4 without a route, and a switch drops that


def udp4(router_mac, src, dst, sport):
    return Ether(src=SRC_MAC, dst=router_mac) / IP(src=src, dst=dst) / UDP(sport=sport, dport=9) / Raw(b"x" * 8)


def udp6(router_mac, src, dst, sport):
    return Ether(src=SRC_MAC, dst=router_mac) / IPv6(src=src, dst=dst) / UDP(sport=sport, dport=9) / Raw(b"x" * 8)


def main(argv):
    global SRC_MAC
    cmd, iface = argv[1], argv[2]
    SRC_MAC = get_if_hwaddr(iface)
    if cmd == "flows":
        router_mac, src4, src6, dst4, dst6, count = argv[3], argv[4], argv[5], argv[6], argv[7], int(argv[8])
        frames = [udp4(router_mac, src4, dst4, 20000 + i) for i in range(count)]
        if src6 != "-":
            frames += [udp6(router_mac, src6, dst6, 20000 + i) for i in range(count)]
        sendp(frames, iface=iface, inter=0.001)
    elif cmd == "spoofflows":
        router_mac, dst4, dst6, count = argv[3], argv[4], argv[5], int(argv[6])
        rnd = random.Random(7)
        frames = []
        for i in range(count):
            frames.append(udp4(router_mac, "192.168.42.%d" % rnd.randint(2, 254), dst4, 30000 + i))
            frames.append(udp6(router_mac, "fd42:4242:4242::%x:%x" % (rnd.randint(1, 0xffff), rnd.randint(1, 0xffff)), dst6, 30000 + i))
        sendp(frames, iface=iface, inter=0.001)
    elif cmd == "sources":
        router_mac, dst4, dst6 = argv[3], argv[4], argv[5]
        frames = []
        for i, src in enumerate(argv[6:]):
            frames.append(udp6(router_mac, src, dst6, 40000 + i) if ":" in src else udp4(router_mac, src, dst4, 40000 + i))
        sendp(frames, iface=iface, inter=0.01)
    elif cmd == "hijack":
        router_mac, victim, dst4, seconds, rate = argv[3], argv[4], argv[5], float(argv[6]), int(argv[7])
        frame = udp4(router_mac, victim, dst4, 5353)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            sendp(frame, iface=iface, count=rate // 10, inter=1.0 / rate)
    elif cmd == "echo":
        dst_mac, src4, dst4, count = argv[3], argv[4], argv[5], int(argv[6])
        frame = Ether(src=SRC_MAC, dst=dst_mac) / IP(src=src4, dst=dst4) / ICMP(type=8, id=0x7777, seq=1) / Raw(b"ping")
        sendp(frame, iface=iface, count=count, inter=0.05)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
