using System;
using System.Collections.Generic;
using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Xunit;

namespace Warp.Protocol.Tests.Lan
{
    /// <summary>A reply frame parsed back through the protocol/Net views, every checksum verified.</summary>
    public sealed class Parsed
    {
        public EthernetFrame Eth;
        public Ipv4Packet Ip4;
        public Ipv6Packet Ip6;
        public UdpDatagram Udp;
        public Icmpv4Packet Icmp4;
        public Icmpv6Packet Icmp6;
        public ArpPacket Arp;
        public byte[] Frame;
        public string DstMac { get { return MacAddress.Format(Frame, 0); } }
        public string SrcMac { get { return MacAddress.Format(Frame, 6); } }
    }

    /// <summary>The LAN used by every test: 192.168.4.1/24, pool .100-.199, ULA fd00:1:2:3::/64.</summary>
    public static class Lan
    {
        public static readonly byte[] RouterMac = Hex("020000000001");
        public static readonly byte[] ClientMac = Hex("02aabbccdd01");
        public const uint RouterIp = 0xC0A80401;
        public static readonly byte[] UlaPrefix = Hex("fd00000100020003");

        public static byte[] Hex(string s) { return Convert.FromHexString(s.Replace(" ", "").Replace("\n", "")); }
        public static string ToHex(byte[] b, int offset, int length) { return Convert.ToHexString(b, offset, length).ToLowerInvariant(); }

        public static uint V4(string dotted)
        {
            var p = dotted.Split('.');
            return (uint.Parse(p[0]) << 24) | (uint.Parse(p[1]) << 16) | (uint.Parse(p[2]) << 8) | uint.Parse(p[3]);
        }

        public static LanConfig LanConfigFor(bool ula = true)
        {
            var c = new LanConfig(RouterMac, RouterIp, 24, V4("192.168.4.100"), V4("192.168.4.199"));
            if (ula)
                c.SetUlaPrefix(UlaPrefix, 0);
            return c;
        }

        public static LanServices Services(LanConfig config = null, ILeaseStore store = null, int leases = 16, long now = 0)
        {
            return new LanServices(config ?? LanConfigFor(), leases, 16, 16, store, null, now);
        }

        /// <summary>
        /// Handles a frame; when the answer is the DHCP server's ARP probe (a DISCOVER for an address
        /// not yet the client's), lets the probe's wait pass unanswered and returns the OFFER that
        /// Tick then makes (start-up announcements and RAs on the way are skipped).
        /// </summary>
        public static LanResult HandleThroughProbe(LanServices lan, byte[] frame, byte[] output, long now)
        {
            var r = lan.Handle(frame, 0, frame.Length, output, 0, now);
            if (r.Action != LanAction.Reply || !IsProbe(output, r.Length))
                return r;
            for (int i = 0; i < 16; i++)
            {
                var t = lan.Tick(now + DhcpServer.ProbeWaitMs, output, 0);
                if (t.Action != LanAction.Reply)
                    return t;
                if (output[12] == 0x08 && output[13] == 0x00)
                    return t;
            }
            return LanResult.Consumed;
        }

        /// <summary>True for an ARP probe (sender IP 0.0.0.0) from the router.</summary>
        public static bool IsProbe(byte[] f, int length)
        {
            return length == 42 && f[12] == 0x08 && f[13] == 0x06 && f[14 + 14] == 0 && f[14 + 15] == 0 && f[14 + 16] == 0 && f[14 + 17] == 0;
        }

        /// <summary>Parses a produced frame through the views; asserts every header and checksum.</summary>
        public static Parsed Parse(byte[] output, int offset, int length)
        {
            var f = new byte[length];
            Array.Copy(output, offset, f, 0, length);
            var p = new Parsed { Frame = f };
            Assert.True(EthernetFrame.TryCreate(f, 0, f.Length, out p.Eth));
            Assert.False(p.Eth.HasVlanTag);
            Assert.True(MacAddress.Equal(f, 6, RouterMac, 0), "source MAC is the router's");
            switch (p.Eth.EtherType)
            {
                case EthernetFrame.EtherTypeArp:
                    Assert.True(ArpPacket.TryCreate(f, 14, f.Length - 14, out p.Arp));
                    Assert.Equal(42, f.Length);
                    break;
                case EthernetFrame.EtherTypeIpv4:
                    Assert.True(Ipv4Packet.TryCreate(f, 14, f.Length - 14, out p.Ip4));
                    Assert.Equal(f.Length - 14, p.Ip4.Length);
                    Assert.True(p.Ip4.VerifyHeaderChecksum(), "IPv4 header checksum");
                    Assert.Equal(64, p.Ip4.Ttl);
                    if (p.Ip4.Protocol == Ipv4Packet.ProtocolUdp)
                    {
                        Assert.True(UdpDatagram.TryCreate(f, p.Ip4.PayloadOffset, p.Ip4.PayloadLength, out p.Udp));
                        Assert.NotEqual(0, p.Udp.Checksum);
                        Assert.True(p.Udp.VerifyChecksum(p.Ip4.PseudoHeaderSum(), false), "UDP checksum");
                    }
                    else
                    {
                        Assert.Equal(Ipv4Packet.ProtocolIcmp, p.Ip4.Protocol);
                        Assert.True(Icmpv4Packet.TryCreate(f, p.Ip4.PayloadOffset, p.Ip4.PayloadLength, out p.Icmp4));
                        Assert.True(p.Icmp4.VerifyChecksum(), "ICMP checksum");
                    }
                    break;
                case EthernetFrame.EtherTypeIpv6:
                    Assert.True(Ipv6Packet.TryCreate(f, 14, f.Length - 14, out p.Ip6));
                    Assert.Equal(f.Length - 14, p.Ip6.Length);
                    Assert.Equal(Ipv6Packet.NextHeaderIcmpv6, p.Ip6.UpperLayerProtocol);
                    Assert.True(Icmpv6Packet.TryCreate(f, p.Ip6.UpperLayerOffset, p.Ip6.UpperLayerLength, out p.Icmp6));
                    Assert.True(p.Icmp6.VerifyChecksum(p.Ip6.PseudoHeaderSum()), "ICMPv6 checksum");
                    break;
                default:
                    Assert.Fail("unexpected EtherType");
                    break;
            }
            return p;
        }

        public static Parsed Parse(byte[] output, LanResult r)
        {
            Assert.Equal(LanAction.Reply, r.Action);
            return Parse(output, 0, r.Length);
        }

        /// <summary>An Ethernet + IPv4 + UDP frame around a payload, checksums made by the Net writers.</summary>
        public static byte[] Udp4Frame(byte[] dstMac, byte[] srcMac, uint src, uint dst, ushort sport, ushort dport, byte[] payload)
        {
            var f = new byte[42 + payload.Length];
            EthernetFrame.WriteHeader(f, 0, dstMac, 0, srcMac, 0, EthernetFrame.EtherTypeIpv4);
            Ipv4Packet.WriteHeader(f, 14, 28 + payload.Length, 7, false, 64, Ipv4Packet.ProtocolUdp, src, dst);
            UdpDatagram.WriteHeader(f, 34, sport, dport, 8 + payload.Length);
            Array.Copy(payload, 0, f, 42, payload.Length);
            Ipv4Packet.TryCreate(f, 14, f.Length - 14, out var ip);
            UdpDatagram.TryCreate(f, 34, f.Length - 34, out var udp);
            udp.UpdateChecksum(ip.PseudoHeaderSum());
            return f;
        }

        /// <summary>An Ethernet + IPv6 + ICMPv6 frame around an ICMPv6 message (checksum field filled in).</summary>
        public static byte[] Icmp6Frame(byte[] dstMac, byte[] srcMac, byte[] src, byte[] dst, byte hopLimit, byte[] icmp)
        {
            var f = new byte[54 + icmp.Length];
            EthernetFrame.WriteHeader(f, 0, dstMac, 0, srcMac, 0, EthernetFrame.EtherTypeIpv6);
            Ipv6Packet.WriteHeader(f, 14, icmp.Length, Ipv6Packet.NextHeaderIcmpv6, hopLimit, src, 0, dst, 0);
            Array.Copy(icmp, 0, f, 54, icmp.Length);
            Ipv6Packet.TryCreate(f, 14, f.Length - 14, out var ip);
            Icmpv6Packet.TryCreate(f, 54, icmp.Length, out var m);
            m.UpdateChecksum(ip.PseudoHeaderSum());
            return f;
        }

        /// <summary>
        /// A client's BOOTREQUEST, literal: op 1, htype 1, hlen 6, hops 0, xid, secs 0, flags,
        /// ciaddr, yiaddr/siaddr/giaddr, chaddr (MAC + 10 zero bytes), sname and file zero, the
        /// magic cookie, then the options as given (hex).
        /// </summary>
        public static byte[] Bootp(string options, string xid = "12345678", string flags = "0000", string ciaddr = "00000000",
            string mac = "02aabbccdd01", string giaddr = "00000000")
        {
            return Hex("010106 00" + xid + "0000" + flags + ciaddr + "00000000 00000000" + giaddr + mac + new string('0', 20)
                + new string('0', 128 + 256) + "63825363" + options);
        }

        /// <summary>A DHCP message from a client without an address (0.0.0.0 → 255.255.255.255, broadcast).</summary>
        public static byte[] FromClient(byte[] dhcp, byte[] mac = null, uint src = 0, uint dst = 0xFFFFFFFF, byte[] dstMac = null)
        {
            return Udp4Frame(dstMac ?? Hex("ffffffffffff"), mac ?? ClientMac, src, dst, 68, 67, dhcp);
        }

        /// <summary>The DHCP options of a reply, by code (the first of each).</summary>
        public static Dictionary<int, byte[]> Options(Parsed p)
        {
            var d = new Dictionary<int, byte[]>();
            int pos = p.Udp.PayloadOffset + 240;
            int end = p.Udp.PayloadOffset + p.Udp.PayloadLength;
            Assert.Equal(0x63825363u, Endian.Read32(p.Frame, pos - 4));
            while (pos < end && p.Frame[pos] != 255)
            {
                if (p.Frame[pos] == 0) { pos++; continue; }
                int len = p.Frame[pos + 1];
                var v = new byte[len];
                Array.Copy(p.Frame, pos + 2, v, 0, len);
                if (!d.ContainsKey(p.Frame[pos])) d[p.Frame[pos]] = v;
                pos += 2 + len;
            }
            Assert.True(pos < end, "options end with End (255)");
            return d;
        }

        /// <summary>The option codes of a reply in order.</summary>
        public static string OptionCodes(Parsed p)
        {
            var codes = new List<string>();
            int pos = p.Udp.PayloadOffset + 240;
            while (p.Frame[pos] != 255) { codes.Add(p.Frame[pos].ToString()); pos += 2 + p.Frame[pos + 1]; }
            return string.Join(",", codes);
        }

        public static uint Yiaddr(Parsed p) { return Endian.Read32(p.Frame, p.Udp.PayloadOffset + 16); }
    }
}
