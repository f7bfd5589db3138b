using BenchmarkDotNet.Attributes;
using Warp.Hal.Linux;
using Warp.Protocol.Crypto;
using Warp.Protocol.WireGuard;

namespace Warp.Bench
{
    /// <summary>
    /// The WireGuard tunnel: data packets per second through Encapsulate on one tunnel and
    /// Decapsulate on its peer (a 1,420-byte packet, the WireGuard default MTU), with each crypto
    /// backend; and complete handshakes per second (initiation, response, confirmation).
    /// packets/s = 1 / Mean. Run: dotnet run -c Release --project tests/Bench -- --filter "*Tunnel*"
    /// </summary>
    [MemoryDiagnoser]
    [ShortRunJob]
    public class TunnelBenchmarks
    {
        private const int PacketSize = 1420;
        private Tunnel _a, _b;
        private Endpoint _fromA;
        private readonly byte[] _packet = new byte[PacketSize];
        private readonly byte[] _wire = new byte[2048];
        private readonly byte[] _plain = new byte[2048];
        private long _now = 1000;

        [Params("managed", "system")]
        public string Backend;

        private ICryptoBackend NewBackend() { return Backend == "managed" ? (ICryptoBackend)new ManagedCryptoBackend() : new LinuxCryptoBackend(); }

        [GlobalSetup]
        public void Setup()
        {
            var keyA = new byte[32];
            var keyB = new byte[32];
            var rng = new System.Random(3);
            rng.NextBytes(keyA);
            rng.NextBytes(keyB);
            _a = new Tunnel(new TunnelConfig { PrivateKey = keyA }, NewBackend(), new Warp.TestKit.SeededRandom(7), null);
            _b = new Tunnel(new TunnelConfig { PrivateKey = keyB }, NewBackend(), new Warp.TestKit.SeededRandom(7), null);
            _fromA = new Endpoint();
            _fromA.SetIpv4(0x0A000001, 1);
            var toB = new Endpoint();
            toB.SetIpv4(0x0A000002, 2);
            _a.AddPeer(new PeerConfig { PublicKey = _b.PublicKey, Endpoint = toB });
            _b.AddPeer(new PeerConfig { PublicKey = _a.PublicKey });
            Warp.Protocol.Net.Ipv4Packet.WriteHeader(_packet, 0, PacketSize, 1, true, 64, 17, 0x0A4D0002, 0x0A4D0001);
            Handshake();
        }

        private void Handshake()
        {
            _a.Connect(0, _now);
            var init = _a.Tick(_now, _wire, 0);
            var resp = _b.Decapsulate(_fromA, _wire, 0, init.Length, _plain, 0, _now);
            _a.Decapsulate(null, _plain, 0, resp.Length, _wire, 0, _now);
            var keepalive = _a.Tick(_now, _wire, 0);
            var done = _b.Decapsulate(_fromA, _wire, 0, keepalive.Length, _plain, 0, _now);
            if (done.Action != TunnelAction.Done)
                throw new System.InvalidOperationException("handshake failed: " + done);
        }

        [Benchmark(Description = "encapsulate + decapsulate 1420 B")]
        public int DataPacket()
        {
            var e = _a.Encapsulate(0, _packet, 0, PacketSize, _wire, 0, _now);
            var d = _b.Decapsulate(_fromA, _wire, 0, e.Length, _plain, 0, _now);
            return d.Length;
        }

        [Benchmark(Description = "handshake (initiation, response, keepalive)")]
        public void FullHandshake()
        {
            // Move the clock past RekeyTimeout so a new initiation may be sent, and past the 20 ms flood guard.
            _now += Limits.RekeyTimeout;
            Handshake();
        }
    }
}
