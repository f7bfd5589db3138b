using System.Text;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>HMAC-BLAKE2s (RFC 2104 over RFC 7693) against BouncyCastle's HMac(Blake2sDigest).</summary>
    public class HmacBlake2sTests
    {
        [Theory]
        [InlineData(0, 0)]
        [InlineData(32, 0)]
        [InlineData(32, 1)]
        [InlineData(32, 64)]
        [InlineData(16, 100)]
        [InlineData(64, 65)]
        [InlineData(65, 3)]   // a key longer than the block is hashed first
        [InlineData(200, 1000)]
        public void Mac_MatchesBouncyCastle(int keyLength, int dataLength)
        {
            var key = new byte[keyLength];
            var data = new byte[dataLength];
            for (int i = 0; i < key.Length; i++) key[i] = (byte)(i * 13 + 1);
            for (int i = 0; i < data.Length; i++) data[i] = (byte)(i * 7 + 5);
            var ours = new byte[32];
            new HmacBlake2s().Compute(key, 0, keyLength, data, 0, dataLength, ours, 0);
            Assert.Equal(BouncyCastleOracle.Hmac(key, data), ours);
        }

        [Fact]
        public void Streaming_EqualsOneShot()
        {
            byte[] key = Encoding.ASCII.GetBytes("a 32-byte key for HMAC-BLAKE2s!!");
            byte[] data = Encoding.ASCII.GetBytes("WireGuard v1 zx2c4 Jason@zx2c4.com and some more text to span blocks .........");
            var h = new HmacBlake2s();
            h.Init(key, 0, key.Length);
            h.Update(data, 0, 10);
            h.Update(data, 10, data.Length - 10);
            var a = new byte[32];
            h.Final(a, 0);
            var b = new byte[32];
            h.Compute(key, 0, key.Length, data, 0, data.Length, b, 0);
            Assert.Equal(a, b);
            Assert.Equal(BouncyCastleOracle.Hmac(key, data), a);
        }

        [Fact]
        public void OutputMayOverlapData()
        {
            var key = new byte[32];
            key[5] = 5;
            var buffer = new byte[40];
            for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)i;
            byte[] expected = BouncyCastleOracle.Hmac(key, buffer);
            new HmacBlake2s().Compute(key, 0, 32, buffer, 0, buffer.Length, buffer, 0);
            Assert.Equal(Hex.Encode(expected), Hex.Encode(buffer, 0, 32));
        }
    }
}
