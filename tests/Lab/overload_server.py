#!/usr/bin/python3
# A DHCP server that puts options in 'file' and/or 'sname' (option 52, RFC 2132 9.3), to see what
# real clients accept. Usage: overload_server.py IFACE MODE (1: file, 2: sname, 3: both).
# Options field: 53, 54, 51, 52 (and end); the overloaded fields: subnet mask (1), router (3),
# DNS (6), interface MTU (26); with 3, the mask and router in file, DNS and MTU in sname.
import sys
from scapy.all import Ether, IP, UDP, BOOTP, DHCP, sendp, sniff, get_if_hwaddr

iface, mode = sys.argv[1], int(sys.argv[2])
server = "10.231.5.1"
own = get_if_hwaddr(iface)
pool = {}

def field(options, size):
    b = bytes(options) + b"\xff"
    return b + b"\x00" * (size - len(b))

mask_router = [1, 4, 255, 255, 255, 0, 3, 4, 10, 231, 5, 1]
dns_mtu = [6, 4, 10, 231, 5, 1, 26, 2, 5, 0]

def answer(p):
    if not p.haslayer(DHCP) or p[BOOTP].op != 1:
        return
    kind = dict(o for o in p[DHCP].options if isinstance(o, tuple)).get("message-type")
    if kind not in (1, 3):
        return
    mac = p[Ether].src
    ip = pool.setdefault(mac, "10.231.5.%d" % (100 + len(pool)))
    if mode == 1:
        file, sname = field(mask_router + dns_mtu, 128), b"\x00" * 64
    elif mode == 2:
        file, sname = b"\x00" * 128, field(mask_router + dns_mtu, 64)
    else:
        file, sname = field(mask_router, 128), field(dns_mtu, 64)
    reply = (Ether(src=own, dst="ff:ff:ff:ff:ff:ff") / IP(src=server, dst="255.255.255.255") / UDP(sport=67, dport=68)
             / BOOTP(op=2, xid=p[BOOTP].xid, yiaddr=ip, siaddr=server, chaddr=p[BOOTP].chaddr, flags=p[BOOTP].flags, sname=sname, file=file)
             / DHCP(options=[("message-type", 2 if kind == 1 else 5), ("server_id", server), ("lease_time", 120),
                             ("dhcp-option-overload", mode), "end"]))
    sendp(reply, iface=iface, verbose=False)
    print("answered", kind, mac, ip, flush=True)

print("ready", flush=True)
sniff(iface=iface, filter="udp and dst port 67", prn=answer, store=False)
