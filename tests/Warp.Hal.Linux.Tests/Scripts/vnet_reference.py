"""Reference cases for hal/Linux/VnetHdr.cs, built with scapy (not with our code).

Prints one JSON object a line: name, vnet (the virtio_net_hdr, hex), frame (hex) and expected
(the frames the router must see, hex). Segments follow the kernel's tcp_gso_segment: payload cut
at gso_size, IPv4 id + i, seq + i * gso_size, FIN and PSH only on the last segment, CWR only on the
first; every checksum is scapy's own."""
import json
import struct
import sys

from scapy.all import Ether, IP, IPv6, TCP, UDP, ARP, Raw

ETH = Ether(src="02:00:00:00:00:01", dst="02:57:00:00:00:09")


def vnet(flags, gso_type, hdr_len, gso_size, csum_start, csum_offset):
    return struct.pack("<BBHHHH", flags, gso_type, hdr_len, gso_size, csum_start, csum_offset)


def payload(n, seed):
    return bytes((seed + i * 7) % 256 for i in range(n))


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def sum16(b):
    if len(b) % 2:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def pseudo(ip, proto, length):
    if ip.version == 4:
        import socket
        a = socket.inet_aton(ip.src) + socket.inet_aton(ip.dst)
    else:
        import socket
        a = socket.inet_pton(socket.AF_INET6, ip.src) + socket.inet_pton(socket.AF_INET6, ip.dst)
    return fold(sum16(a) + proto + length)


def tso(name, v6, data, mss, flags, options, seq=1000, ipid=0x1234, ecn=False, hdr_len=None, partial=True):
    ip = IPv6(src="fd42::2", dst="2001:db8::80", hlim=64) if v6 else IP(src="192.168.42.10", dst="198.18.0.80", id=ipid, flags="DF", ttl=64)
    tcp = TCP(sport=40000, dport=5201, seq=seq, ack=777, flags=flags, window=501, options=options)
    sup = ETH / ip / tcp / Raw(data)
    raw = bytearray(bytes(sup))
    l3 = 14
    iphl = 40 if v6 else (raw[l3] & 15) * 4
    l4 = l3 + iphl
    thl = (raw[l4 + 12] >> 4) * 4
    if partial:
        # CHECKSUM_PARTIAL as the kernel leaves it: the pseudo-header's sum, not complemented.
        struct.pack_into("!H", raw, l4 + 16, pseudo(ip, 6, len(raw) - l4))
    expected = []
    n = (len(data) + mss - 1) // mss
    for i in range(n):
        f = int(tcp.flags)
        if i != n - 1:
            f &= ~0x09
        if i != 0:
            f &= ~0x80
        ipi = IPv6(src="fd42::2", dst="2001:db8::80", hlim=64) if v6 else IP(src="192.168.42.10", dst="198.18.0.80", id=(ipid + i) & 0xFFFF, flags="DF", ttl=64)
        seg = ETH / ipi / TCP(sport=40000, dport=5201, seq=(seq + i * mss) & 0xFFFFFFFF, ack=777, flags=f, window=501, options=options) / Raw(data[i * mss:(i + 1) * mss])
        expected.append(bytes(seg).hex())
    gtype = (4 if v6 else 1) | (0x80 if ecn else 0)
    h = vnet(1, gtype, hdr_len if hdr_len is not None else l4 + thl, mss, l4, 16)
    return {"name": name, "vnet": h.hex(), "frame": bytes(raw).hex(), "expected": expected}


def partial(name, pkt, proto, csum_off):
    full = bytes(ETH / pkt)
    raw = bytearray(full)
    l3 = 14
    v6 = pkt.version == 6
    l4 = l3 + (40 if v6 else (raw[l3] & 15) * 4)
    struct.pack_into("!H", raw, l4 + csum_off, pseudo(pkt, proto, len(raw) - l4))
    h = vnet(1, 0, l4 + 8, 0, l4, csum_off)
    return {"name": name, "vnet": h.hex(), "frame": bytes(raw).hex(), "expected": [full.hex()]}


cases = [
    tso("v4, timestamps, 5000 bytes at 1448", False, payload(5000, 1), 1448, "PA", [("NOP", None), ("NOP", None), ("Timestamp", (123456, 654321))]),
    tso("v4, FIN PSH CWR with ECN, 3000 bytes at 1000", False, payload(3000, 2), 1000, "FPAC", [], ecn=True),
    tso("v6, 9000 bytes at 1220", True, payload(9000, 3), 1220, "PA", [("NOP", None), ("NOP", None), ("Timestamp", (1, 2))]),
    tso("v4, less than one segment", False, payload(700, 4), 1448, "A", []),
    tso("v4, 64000 bytes at 1460, id and seq wrap", False, payload(64000, 5), 1460, "PA", [], seq=0xFFFFF000, ipid=0xFFF0),
    tso("v6, hdr_len larger than the headers (a linear part)", True, payload(4000, 6), 1000, "A", [], hdr_len=200),
    tso("v4, hdr_len 0", False, payload(2000, 7), 1000, "A", [], hdr_len=0),
    partial("UDP v4, partial checksum", IP(src="192.168.42.10", dst="198.18.0.53") / UDP(sport=5353, dport=53) / Raw(payload(333, 8)), 17, 6),
    partial("TCP v6, partial checksum", IPv6(src="fd42::2", dst="2001:db8::80") / TCP(sport=1, dport=2, flags="S", options=[("MSS", 1440)]), 6, 16),
    {"name": "ARP, no flags", "vnet": vnet(0, 0, 0, 0, 0, 0).hex(), "frame": bytes(ETH / ARP(psrc="192.168.42.10", pdst="192.168.42.1")).hex(),
     "expected": [bytes(ETH / ARP(psrc="192.168.42.10", pdst="192.168.42.1")).hex()]},
    {"name": "DATA_VALID only", "vnet": vnet(2, 0, 0, 0, 0, 0).hex(), "frame": bytes(ETH / IP(src="192.168.42.10", dst="198.18.0.80") / UDP() / Raw(b"x")).hex(),
     "expected": [bytes(ETH / IP(src="192.168.42.10", dst="198.18.0.80") / UDP() / Raw(b"x")).hex()]},
]
for c in cases:
    print(json.dumps(c))
