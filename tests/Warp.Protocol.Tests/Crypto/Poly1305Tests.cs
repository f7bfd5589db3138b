using System.Collections.Generic;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>RFC 8439 section 2.5.2 and appendix A.3 (test vectors #1 to #11, edge cases included).</summary>
    public class Poly1305Tests
    {
        private const string File = "rfc8439-poly1305.txt";

        public static IEnumerable<object[]> All => VectorFile.Names(File);

        [Theory]
        [MemberData(nameof(All))]
        public void Tag_MatchesVector(string name)
        {
            var v = VectorFile.Get(File, name);
            byte[] message = v.Bytes("message");
            var p = new Poly1305();
            p.Init(v.Bytes("key"), 0);
            p.Update(message, 0, message.Length);
            var tag = new byte[16];
            p.Finish(tag, 0);
            Assert.Equal(v["tag"], Hex.Encode(tag));
        }

        [Theory]
        [MemberData(nameof(All))]
        public void Tag_ByteByByte_MatchesVector(string name)
        {
            var v = VectorFile.Get(File, name);
            byte[] message = v.Bytes("message");
            var p = new Poly1305();
            p.Init(v.Bytes("key"), 0);
            for (int i = 0; i < message.Length; i++)
                p.Update(message, i, 1);
            var tag = new byte[20];
            p.Finish(tag, 4);
            Assert.Equal(v["tag"], Hex.Encode(tag, 4, 16));
        }

        [Fact]
        public void PadToBlock_EqualsZeroPadding()
        {
            var key = new byte[32];
            for (int i = 0; i < 32; i++)
                key[i] = (byte)(i * 7 + 3);
            var message = new byte[32];
            for (int i = 0; i < 20; i++)
                message[i] = (byte)i;

            var a = new Poly1305();
            a.Init(key, 0);
            a.Update(message, 0, 20);
            a.PadToBlock();
            var tagA = new byte[16];
            a.Finish(tagA, 0);

            var b = new Poly1305();
            b.Init(key, 0);
            b.Update(message, 0, 32);
            var tagB = new byte[16];
            b.Finish(tagB, 0);
            Assert.Equal(tagB, tagA);
        }
    }
}
