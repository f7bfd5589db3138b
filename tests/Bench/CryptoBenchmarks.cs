using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Warp.Hal.Linux;
using Warp.Protocol.Crypto;
using BcAead = Org.BouncyCastle.Crypto.Modes.ChaCha20Poly1305;
using BcX25519 = Org.BouncyCastle.Math.EC.Rfc7748.X25519;

namespace Warp.Bench
{
    /// <summary>
    /// The crypto layer against BouncyCastle and the platform: AEAD seal/open of a 1,420-byte
    /// packet (MB/s = 1420 / Mean), X25519 (ops/s = 1 / Mean), BLAKE2s of 1,420 bytes, and the
    /// bytes allocated per operation. One short job so the whole run takes a few minutes.
    /// Run: dotnet run -c Release --project tests/Bench -- --filter "*Crypto*"
    /// </summary>
    [MemoryDiagnoser]
    [ShortRunJob]
    [GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
    [CategoriesColumn]
    public class CryptoBenchmarks
    {
        private const int PacketSize = 1420;

        private readonly byte[] _key = new byte[32];
        private readonly byte[] _plaintext = new byte[PacketSize];
        private readonly byte[] _sealed = new byte[PacketSize + 16];
        private readonly byte[] _bcSealed = new byte[PacketSize + 16];
        private readonly byte[] _output = new byte[PacketSize + 16];
        private readonly byte[] _nonce = new byte[12];
        private readonly byte[] _nonce2 = new byte[12];
        private readonly byte[] _scalar = new byte[32];
        private readonly byte[] _point = new byte[32];
        private readonly byte[] _shared = new byte[32];

        private ManagedCryptoBackend _managed;
        private LinuxCryptoBackend _system;
        private BcAead _bcAead;
        private AeadParameters _bcParameters;
        private AeadParameters _bcParameters2;
        private bool _bcToggle;
        private X25519 _x25519;
        private Blake2s _blake2s;
        private Blake2sDigest _bcBlake2s;

        [GlobalSetup]
        public void Setup()
        {
            var rng = new System.Random(1);
            rng.NextBytes(_key);
            rng.NextBytes(_plaintext);
            rng.NextBytes(_scalar);
            rng.NextBytes(_point);
            _managed = new ManagedCryptoBackend();
            _system = new LinuxCryptoBackend();
            _managed.AeadSeal(_key, 0, 7, null, 0, 0, _plaintext, 0, PacketSize, _sealed, 0);

            // BouncyCastle: preallocated parameters; two nonces alternate because its AEAD
            // refuses to encrypt twice in a row with the same key and nonce.
            _nonce[4] = 7; // WireGuard layout, counter 7
            _nonce2[4] = 8;
            _bcAead = new BcAead();
            var key = new KeyParameter(_key);
            _bcParameters = new AeadParameters(key, 128, _nonce, null);
            _bcParameters2 = new AeadParameters(key, 128, _nonce2, null);
            _bcAead.Init(true, _bcParameters);
            int n = _bcAead.ProcessBytes(_plaintext, 0, PacketSize, _bcSealed, 0);
            _bcAead.DoFinal(_bcSealed, n);
            if (!System.Linq.Enumerable.SequenceEqual(_sealed, _bcSealed))
                throw new System.InvalidOperationException("managed and BouncyCastle disagree");

            _x25519 = new X25519();
            _blake2s = new Blake2s();
            _bcBlake2s = new Blake2sDigest(256);
        }

        [GlobalCleanup]
        public void Cleanup() => _system.Dispose();

        // ---- AEAD, 1,420-byte packet

        [Benchmark(Baseline = true), BenchmarkCategory("AeadSeal1420")]
        public void Seal_BouncyCastle()
        {
            _bcToggle = !_bcToggle;
            _bcAead.Init(true, _bcToggle ? _bcParameters2 : _bcParameters);
            int n = _bcAead.ProcessBytes(_plaintext, 0, PacketSize, _output, 0);
            _bcAead.DoFinal(_output, n);
        }

        [Benchmark, BenchmarkCategory("AeadSeal1420")]
        public void Seal_Managed() => _managed.AeadSeal(_key, 0, 7, null, 0, 0, _plaintext, 0, PacketSize, _output, 0);

        [Benchmark, BenchmarkCategory("AeadSeal1420")]
        public void Seal_System() => _system.AeadSeal(_key, 0, 7, null, 0, 0, _plaintext, 0, PacketSize, _output, 0);

        [Benchmark(Baseline = true), BenchmarkCategory("AeadOpen1420")]
        public bool Open_BouncyCastle()
        {
            _bcAead.Init(false, _bcParameters);
            int n = _bcAead.ProcessBytes(_bcSealed, 0, PacketSize + 16, _output, 0);
            return _bcAead.DoFinal(_output, n) == 0;
        }

        [Benchmark, BenchmarkCategory("AeadOpen1420")]
        public bool Open_Managed() => _managed.AeadOpen(_key, 0, 7, null, 0, 0, _sealed, 0, PacketSize + 16, _output, 0);

        [Benchmark, BenchmarkCategory("AeadOpen1420")]
        public bool Open_System() => _system.AeadOpen(_key, 0, 7, null, 0, 0, _sealed, 0, PacketSize + 16, _output, 0);

        // ---- X25519

        [Benchmark(Baseline = true), BenchmarkCategory("X25519")]
        public void X25519_BouncyCastle() => BcX25519.ScalarMult(_scalar, 0, _point, 0, _shared, 0);

        [Benchmark, BenchmarkCategory("X25519")]
        public bool X25519_Managed() => _x25519.ScalarMult(_shared, 0, _scalar, 0, _point, 0);

        [Benchmark(Baseline = true), BenchmarkCategory("X25519PublicKey")]
        public void X25519PublicKey_BouncyCastle() => BcX25519.ScalarMultBase(_scalar, 0, _shared, 0);

        [Benchmark, BenchmarkCategory("X25519PublicKey")]
        public bool X25519PublicKey_Managed() => _x25519.PublicKey(_shared, 0, _scalar, 0);

        // ---- BLAKE2s-256 of 1,420 bytes

        [Benchmark(Baseline = true), BenchmarkCategory("Blake2s1420")]
        public int Blake2s_BouncyCastle()
        {
            _bcBlake2s.BlockUpdate(_plaintext, 0, PacketSize);
            return _bcBlake2s.DoFinal(_shared, 0);
        }

        [Benchmark, BenchmarkCategory("Blake2s1420")]
        public void Blake2s_Managed() => _blake2s.Hash(_plaintext, 0, PacketSize, _shared, 0, 32);
    }
}
