#!/usr/bin/env python3
"""Seed corpus for fuzz_decap: every IPv4/IPv6 packet of the given pcaps, in the input layout
fuzz_decap.c reads (a mode byte, a counter byte, the packet), each with flow installation on and
off. Usage: fuzz_seeds.py OUTDIR FILE.pcap..."""
import os
import struct
import sys


def packets(path):
    data = open(path, 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xA1B2C3D4, 0xA1B23C4D) else '>'
    pos = 24
    while pos + 16 <= len(data):
        captured = struct.unpack(endian + 'I', data[pos + 8:pos + 12])[0]
        frame = data[pos + 16:pos + 16 + captured]
        pos += 16 + captured
        if len(frame) > 14 and frame[12:14] in (b'\x08\x00', b'\x86\xdd'):
            yield frame[14:]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    count = 0
    for path in sys.argv[2:]:
        for i, ip in enumerate(packets(path)):
            for mode in (0x01, 0x05, 0x00):
                name = '%s-%03d-%d' % (os.path.basename(path).replace('.pcap', ''), i, mode)
                with open(os.path.join(out, name), 'wb') as f:
                    f.write(bytes([mode, i & 0xFF]) + ip)
                count += 1
    print('%d seeds in %s' % (count, out))


if __name__ == '__main__':
    main()
