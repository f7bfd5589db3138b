using System;
using System.Collections.Generic;
using Warp.Protocol.Crypto;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;

namespace Warp.Native.Tests
{
    /// <summary>
    /// The managed core and the native fast path side by side, fed the same frames and datagrams at
    /// the same fake time. The managed side is what the router does (firmware/Router.Lan.cs and
    /// Router.Uplink.cs): Ethernet checks, the source bound to its MAC, TTL, NatTranslator, Tunnel; the
    /// peer is a second managed Tunnel (B). After every packet the managed core handled alone, the
    /// harness does what the router's offload does: exports the session again (or removes it from
    /// the fast path when it is no longer offloadable). Every outcome is compared:
    /// <list type="bullet">
    ///   <item>the fast path carried a frame: the managed core produced the identical datagram;</item>
    ///   <item>the fast path carried a datagram: the managed core produced the identical frame;</item>
    ///   <item>the fast path dropped a datagram: the managed tunnel dropped it for the same reason;</item>
    ///   <item>the fast path decrypted a datagram for the managed NAT: the plaintexts are identical;</item>
    ///   <item>the fast path handed a frame up: the managed core used the counter the fast path reserved.</item>
    /// </list>
    /// </summary>
    public sealed class Harness : IDisposable
    {
        public static readonly byte[] RouterMac = { 0x02, 0x57, 0x41, 0x52, 0x50, 0x01 };
        public static readonly byte[] ExtV4 = { 172, 16, 0, 2 };
        public static readonly byte[] ExtV6 = { 0x26, 0x06, 0x47, 0x00, 0x01, 0x10, 0x8a, 0x36, 0, 0, 0, 0, 0, 0, 0, 2 };

        public readonly Tunnel A, B;
        public readonly NatTranslator Nat;
        public readonly IntPtr Fp;
        public long Now = 1_000_000;
        readonly Endpoint addrB = new Endpoint();
        readonly Dictionary<string, byte[]> macOf = new Dictionary<string, byte[]>();
        sealed class FlowRef { public bool V6; public byte Proto; public byte[] Lan, Remote; public int LanPort, RemotePort, Slot; }
        readonly Dictionary<string, FlowRef> offloaded = new Dictionary<string, FlowRef>();
        readonly byte[] nativeOut = new byte[4096], managedOut = new byte[4096], reply = new byte[2048], state = new byte[2048];
        public int Carried, CarriedIn, HandedUp, HandedUpIn, Dropped, Keepalives, Exports;

        public Harness(int seed, int mtu = 1280, int maxPacket = 1420, int clientId = 0x5A17C3, bool endpointIndependent = false)
        {
            NativeBuild.Ensure();
            var keys = new SeededRandom(seed * 7919 + 1);
            byte[] privA = new byte[32], privB = new byte[32];
            keys.GetBytes(privA, 0, 32);
            keys.GetBytes(privB, 0, 32);
            var addrA = new Endpoint();
            addrA.SetIpv4(0x0A000001, 51820);
            addrB.SetIpv4(0xA29FC001, 2408);
            A = new Tunnel(new TunnelConfig { PrivateKey = privA, MaxPacketSize = maxPacket }, new ManagedCryptoBackend(), new SeededRandom(seed), new MemoryStore());
            B = new Tunnel(new TunnelConfig { PrivateKey = privB, MaxPacketSize = maxPacket }, new ManagedCryptoBackend(), new SeededRandom(seed + 1), new MemoryStore());
            Assert.Equal(0, A.AddPeer(new PeerConfig { PublicKey = B.PublicKey, Endpoint = addrB, ClientId = clientId }));
            Assert.Equal(0, B.AddPeer(new PeerConfig { PublicKey = A.PublicKey }));
            Handshake();
            A.SendCounterReservation = mirror;

            var config = new NatConfig
            {
                ExternalAddressV4 = Endian.Read32(ExtV4, 0), ExternalAddressV6 = ExtV6, TunnelMtu = mtu, Capacity = 512, RepliesPerSecond = 1000,
                KeepRemoteV6Addresses = true,
                Filtering = endpointIndependent ? NatFiltering.EndpointIndependent : NatFiltering.AddressDependent,
            };
            Nat = new NatTranslator(new NatTable(config, new SeededRandom(seed + 2), new NatCounters()));
            Fp = Native.wn_host_create(256, (uint)seed);
            Assert.NotEqual(IntPtr.Zero, Fp);
            InstallKeypair();
        }

        public void Dispose() { Native.wn_host_destroy(Fp); }

        void Handshake()
        {
            var buf = new byte[2048];
            var first = Packets.V4(new byte[] { 10, 0, 0, 1 }, new byte[] { 10, 0, 0, 2 }, Packets.Udp, Packets.Transport(Packets.Udp, false, 1, 2, 0, true, new byte[4]));
            Assert.Equal(TunnelAction.Staged, A.Encapsulate(0, first, 0, first.Length, buf, 0, Now).Action);
            var init = A.Tick(Now, buf, 0);
            var initiation = Copy(buf, 0, init.Length);
            var resp = B.Decapsulate(null, initiation, 0, initiation.Length, buf, 0, Now);
            Assert.Equal(TunnelAction.WriteToNetwork, resp.Action);
            var response = Copy(buf, 0, resp.Length);
            Assert.Equal(TunnelAction.HandshakeComplete, A.Decapsulate(addrB, response, 0, response.Length, buf, 0, Now).Action);
            var data = A.Tick(Now, buf, 0);
            var datagram = Copy(buf, 0, data.Length);
            Assert.Equal(TunnelAction.WriteToLan, B.Decapsulate(null, datagram, 0, datagram.Length, buf, 0, Now).Action); // B's session confirmed
        }

        /// <summary>
        /// A mirrors the fast path (it seals what the fast path sealed, to compare the bytes): while its keypair is
        /// offloaded it may seal only on the counter the test names here (the fast path's, or one reserved from it).
        /// </summary>
        sealed class MirrorReservation : ISendCounterReservation
        {
            public ulong Next = ulong.MaxValue;
            public ulong ReserveSendCounter(int peer, uint localIndex) { ulong c = Next; Next = ulong.MaxValue; return c; }
        }
        readonly MirrorReservation mirror = new MirrorReservation();

        /// <summary>Hands A's current keypair to the fast path, as the router does after a handshake.</summary>
        public void InstallKeypair()
        {
            int n = A.ExportKeypair(0, Now, state, 0);
            Assert.Equal(A.OffloadStateSize, n);
            Assert.True(Native.wn_host_set_keypair(Fp, state, n, Now));
            Array.Clear(state, 0, state.Length);
        }

        /// <summary>A's next send counter, read through the export.</summary>
        public ulong ManagedSendCounter()
        {
            Assert.True(A.ExportKeypair(0, Now, state, 0) > 0);
            ulong c = Endian.Read64LE(state, 16);
            Array.Clear(state, 0, state.Length);
            return c;
        }

        public static byte[] Copy(byte[] b, int offset, int length) { var c = new byte[length]; Array.Copy(b, offset, c, 0, length); return c; }
        static string Key(byte[] address) => Convert.ToHexString(address);

        /// <summary>
        /// A LAN host: its address bound to its MAC (a DHCP lease, an IPv6 binding) until <paramref name="until"/>
        /// (long.MaxValue: a static lease); each packet the managed path takes from it renews the binding to
        /// now + <paramref name="renew"/> when that is above 0 (an IPv6 binding, RFC 6620), as LanServices does.
        /// </summary>
        public void Bind(byte[] address, byte[] mac, long until = long.MaxValue, long renew = 0)
        {
            macOf[Key(address)] = mac;
            boundUntil[Key(address)] = until;
            renewOf[Key(address)] = renew;
        }

        /// <summary>The binding is gone (a DHCP RELEASE): the managed path refuses the address from now on; the fast path is not told.</summary>
        public void Unbind(byte[] address) { macOf.Remove(Key(address)); }

        readonly Dictionary<string, long> boundUntil = new Dictionary<string, long>(), renewOf = new Dictionary<string, long>();

        bool IsBound(string key) => macOf.ContainsKey(key) && Now < boundUntil[key];

        // ---------------------------------------------------------------- LAN -> tunnel

        /// <summary>
        /// One LAN frame through both. Returns the datagram both produced (null when neither did).
        /// With <paramref name="mustCarry"/> the fast path must have carried it (a plain packet of an offloaded flow).
        /// </summary>
        public byte[] FromLan(byte[] frame, bool mustCarry = false)
        {
            byte[] original = (byte[])frame.Clone();
            int n = Native.wn_host_from_lan(Fp, frame, frame.Length, nativeOut, nativeOut.Length, Now, out int action, out _);
            Assert.True(Convert.ToHexString(original) == Convert.ToHexString(frame), "the fast path changed the LAN frame");
            Assert.True(action == Native.ToNetwork || action == Native.Punt, "from_lan action " + action);
            if (mustCarry)
                Assert.True(action == Native.ToNetwork, "the fast path handed up a plain packet of an offloaded flow: " + Convert.ToHexString(frame));

            int ip = 16 + 14; // the router's buffer: room for the data header before the frame's IP packet
            byte[] m = new byte[ip + frame.Length + 64];
            Array.Copy(frame, 0, m, 16, frame.Length);
            int ipLength = ManagedOutbound(m, 16, frame.Length, out string why);
            if (ipLength <= 0)
            {
                Assert.True(action == Native.Punt, "the fast path carried what the managed core refused (" + why + ")");
                AfterManaged(original, 14, true);
                return null;
            }
            if (action == Native.ToNetwork)
            {
                mirror.Next = Endian.Read64LE(nativeOut, 8); // the counter the fast path used
                var r = A.Encapsulate(0, m, ip, ipLength, m, ip - 16, Now);
                Assert.Equal(TunnelAction.WriteToNetwork, r.Action);
                Assert.True(r.Length == n && Convert.ToHexString(Copy(m, ip - 16, r.Length)) == Convert.ToHexString(Copy(nativeOut, 0, n)),
                    "datagrams differ\n managed " + Convert.ToHexString(Copy(m, ip - 16, r.Length)) + "\n native  " + Convert.ToHexString(Copy(nativeOut, 0, n)));
                Carried++;
                return Copy(nativeOut, 0, n);
            }
            // Handed up: the managed core sends it with a counter reserved from the fast path.
            ulong reserved = Native.wn_host_take_send_counter(Fp);
            Assert.Equal(ManagedSendCounter(), reserved);
            mirror.Next = reserved;
            var sent = A.Encapsulate(0, m, ip, ipLength, m, ip - 16, Now);
            Assert.Equal(TunnelAction.WriteToNetwork, sent.Action);
            HandedUp++;
            AfterManaged(original, 14, true);
            return Copy(m, ip - 16, sent.Length);
        }

        /// <summary>The router's LAN path up to the NAT; the IP length to encapsulate, or 0 with the reason.</summary>
        int ManagedOutbound(byte[] b, int offset, int length, out string why)
        {
            why = null;
            EthernetFrame eth;
            if (!EthernetFrame.TryCreate(b, offset, length, out eth)) { why = "frame"; return 0; }
            if (!MacAddress.Equal(b, offset, RouterMac, 0)) { why = "not for the router"; return 0; }
            int ipAt = offset + 14, available = length - 14;
            NatResult nr;
            if (eth.EtherType == EthernetFrame.EtherTypeIpv4)
            {
                if (!Ipv4Packet.TryCreate(b, ipAt, available, out Ipv4Packet p4)) { why = "IPv4"; return 0; }
                if (!BoundTo(b, p4.SourceOffsetInBuffer, 4, b, offset + 6)) { why = "source not bound to the MAC"; return 0; }
                if (p4.Ttl <= 1) { why = "TTL"; return 0; }
                p4.DecrementTtl();
                nr = Nat.TranslateOutbound(p4, NatHostTable.NoDevice, Now, reply, 0);
                length = p4.Length;
            }
            else if (eth.EtherType == EthernetFrame.EtherTypeIpv6)
            {
                if (!Ipv6Packet.TryCreate(b, ipAt, available, out Ipv6Packet p6)) { why = "IPv6"; return 0; }
                if (!BoundTo(b, p6.SourceOffsetInBuffer, 16, b, offset + 6)) { why = "source not bound to the MAC"; return 0; }
                if (p6.HopLimit <= 1) { why = "hop limit"; return 0; }
                p6.HopLimit = (byte)(p6.HopLimit - 1);
                nr = Nat.TranslateOutbound(p6, NatHostTable.NoDevice, Now, reply, 0);
                length = p6.Length;
            }
            else { why = "ethertype"; return 0; }
            if (nr.Action != NatAction.WriteToTunnel) { why = "NAT " + nr.Action + " " + nr.Reason; return 0; }
            // The router moves the packet behind the 16 bytes of data header (it keeps the Ethernet room in front).
            Array.Copy(b, ipAt, b, 30, length);
            return length;
        }

        bool BoundTo(byte[] b, int addressOffset, int n, byte[] frame, int macOffset)
        {
            string key = Key(Copy(b, addressOffset, n));
            if (!IsBound(key) || !MacAddress.Equal(frame, macOffset, macOf[key], 0))
                return false;
            if (renewOf[key] > 0 && Now + renewOf[key] > boundUntil[key])
                boundUntil[key] = Now + renewOf[key];
            return true;
        }

        // ---------------------------------------------------------------- tunnel -> LAN

        /// <summary>The peer (B) seals an IP packet (or any plaintext) for the router.</summary>
        public byte[] Seal(byte[] packet)
        {
            var buf = new byte[packet.Length + 64];
            var r = B.Encapsulate(0, packet, 0, packet.Length, buf, 0, Now);
            Assert.Equal(TunnelAction.WriteToNetwork, r.Action);
            return Copy(buf, 0, r.Length);
        }

        /// <summary>One datagram from the peer through both; returns the native action. With <paramref name="mustCarry"/> the fast path must deliver it to the LAN.</summary>
        public int FromUplink(byte[] datagram, bool mustCarry = false)
        {
            byte[] d1 = (byte[])datagram.Clone(), d2 = (byte[])datagram.Clone();
            int n = Native.wn_host_from_uplink(Fp, d1, d1.Length, nativeOut, nativeOut.Length, Now, out int action, out int reason, out _);
            var r = A.Decapsulate(addrB, d2, 0, d2.Length, managedOut, 14, Now);
            if (mustCarry)
                Assert.True(action == Native.ToLan, "the fast path did not carry a plain inbound packet of an offloaded flow (action " + action + ")");
            switch (action)
            {
                case Native.ToLan:
                {
                    Assert.Equal(TunnelAction.WriteToLan, r.Action);
                    var nr = Nat.TranslateInbound(managedOut, 14, r.Length, Now);
                    Assert.True(nr.Action == NatAction.WriteToLan, "the fast path delivered what the managed NAT refused: " + nr.Reason);
                    bool v6 = managedOut[14] >> 4 == 6;
                    var dst = Copy(managedOut, 14 + (v6 ? 24 : 16), v6 ? 16 : 4);
                    Assert.True(IsBound(Key(dst)), "the fast path delivered to an address bound to nobody now");
                    var mac = macOf[Key(dst)];
                    var frame = Packets.Frame(mac, RouterMac, Copy(managedOut, 14, r.Length));
                    Assert.True(n == frame.Length && Convert.ToHexString(frame) == Convert.ToHexString(Copy(nativeOut, 0, n)),
                        "frames differ\n managed " + Convert.ToHexString(frame) + "\n native  " + Convert.ToHexString(Copy(nativeOut, 0, n)));
                    CarriedIn++;
                    break;
                }
                case Native.Decrypted:
                {
                    Assert.Equal(TunnelAction.WriteToLan, r.Action);
                    Assert.True(n == r.Length && Convert.ToHexString(Copy(nativeOut, 14, n)) == Convert.ToHexString(Copy(managedOut, 14, r.Length)),
                        "decrypted packets differ");
                    var nr = Nat.TranslateInbound(managedOut, 14, r.Length, Now);
                    HandedUpIn++;
                    if (nr.Action == NatAction.WriteToLan)
                        AfterManaged(Copy(managedOut, 14, r.Length), 0, false);
                    break;
                }
                case Native.Consumed:
                    Assert.Equal(TunnelAction.Done, r.Action);
                    Keepalives++;
                    break;
                case Native.Dropped:
                    Assert.Equal(TunnelAction.Dropped, r.Action);
                    Assert.Equal(reason == Native.DropReplayed ? TunnelCounter.DropDataReplayed
                        : reason == Native.DropUndecryptable ? TunnelCounter.DropDataUndecryptable : TunnelCounter.DropDataBadInnerPacket, r.Reason);
                    Dropped++;
                    break;
                default:
                    Assert.Fail("the fast path handed up a data message of its own keypair (action " + action + ", managed " + r + ")");
                    break;
            }
            return action;
        }

        // ---------------------------------------------------------------- the router's offload step

        /// <summary>
        /// After the managed core handled a packet alone: the flow's session is exported again when it
        /// is offloadable (replacing the old entry) and removed from the fast path when it is not.
        /// <paramref name="lanSide"/> is a packet of the flow as the LAN host sends it (outbound) or
        /// receives it (inbound, after translation).
        /// </summary>
        void AfterManaged(byte[] packet, int ipAt, bool outbound)
        {
            if (packet.Length < ipAt + 20)
                return;
            bool v6 = packet[ipAt] >> 4 == 6;
            if (!v6 && packet[ipAt] >> 4 != 4)
                return;
            int hl = v6 ? 40 : (packet[ipAt] & 15) * 4;
            byte proto = v6 ? packet[ipAt + 6] : packet[ipAt + 9];
            if (proto != Packets.Tcp && proto != Packets.Udp && proto != (v6 ? Packets.Icmpv6 : Packets.Icmp))
                return;
            if (packet.Length < ipAt + hl + 8 || (!v6 && (Endian.Read16(packet, ipAt + 6) & 0x3FFF) != 0))
                return;
            int n = v6 ? 16 : 4;
            byte[] src = Copy(packet, ipAt + (v6 ? 8 : 12), n), dst = Copy(packet, ipAt + (v6 ? 24 : 16), n);
            int l4 = ipAt + hl;
            bool icmp = proto == Packets.Icmp || proto == Packets.Icmpv6;
            int sport = icmp ? Endian.Read16(packet, l4 + 4) : Endian.Read16(packet, l4);
            int dport = icmp ? 0 : Endian.Read16(packet, l4 + 2);
            byte[] lan = outbound ? src : dst, remote = outbound ? dst : src;
            int lanPort = outbound ? sport : (icmp ? sport : dport), remotePort = outbound ? dport : (icmp ? 0 : sport);
            Offload(v6, proto, lan, lanPort, remote, remotePort);
        }

        /// <summary>Exports (or withdraws) the flow's session; the fast path's slot, or -1.</summary>
        public int Offload(bool v6, byte proto, byte[] lan, int lanPort, byte[] remote, int remotePort)
        {
            string key = (v6 ? "6" : "4") + proto + Key(lan) + lanPort + Key(remote) + remotePort;
            int session = NatOffload.FindSession(Nat, v6, proto, lan, 0, lanPort, remote, 0, remotePort, Now);
            byte[] entry = new byte[NatOffload.EntrySize];
            int length = 0;
            if (session >= 0 && IsBound(Key(lan)))
                length = NatOffload.ExportFlow(Nat, session, macOf[Key(lan)], 0, RouterMac, 0, v6 ? remote : null, 0, Now, entry, 0);
            if (length != 0)
            {
                long until = boundUntil[Key(lan)];
                NatOffload.SetBinding(entry, 0, until == long.MaxValue ? long.MaxValue : until - Now, renewOf[Key(lan)]); // as the router hands the binding down
            }
            if (length == 0)
            {
                if (offloaded.TryGetValue(key, out var old))
                {
                    Native.wn_host_remove_flow(Fp, old.Slot);
                    offloaded.Remove(key);
                }
                return -1;
            }
            int slot = Native.wn_host_add_flow(Fp, entry, length, Now);
            Assert.True(slot >= 0, "the fast path refused an exported flow");
            offloaded[key] = new FlowRef { V6 = v6, Proto = proto, Lan = lan, LanPort = lanPort, Remote = remote, RemotePort = remotePort, Slot = slot };
            Exports++;
            return slot;
        }

        /// <summary>Withdraws offloaded flows whose managed session is gone or expired (the router's Tick does this before the NAT reclaims them).</summary>
        public void ExpireFlows()
        {
            var gone = new List<string>();
            foreach (var kv in offloaded)
            {
                var f = kv.Value;
                int session = NatOffload.FindSession(Nat, f.V6, f.Proto, f.Lan, 0, f.LanPort, f.Remote, 0, f.RemotePort, Now);
                if (session < 0 || Nat.Table.IsExpired(session, Now))
                    gone.Add(kv.Key);
            }
            foreach (var k in gone)
            {
                Native.wn_host_remove_flow(Fp, offloaded[k].Slot);
                offloaded.Remove(k);
            }
        }

        public bool IsOffloaded(bool v6, byte proto, byte[] lan, int lanPort, byte[] remote, int remotePort)
        {
            return offloaded.ContainsKey((v6 ? "6" : "4") + proto + Key(lan) + lanPort + Key(remote) + remotePort);
        }

        public int OffloadedFlows => Native.wn_host_flow_count(Fp);
    }
}
