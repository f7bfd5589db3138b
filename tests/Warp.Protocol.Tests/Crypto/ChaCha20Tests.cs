using System;
using System.Collections.Generic;
using System.Globalization;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>RFC 8439 sections 2.1.1, 2.2.1, 2.3.2, 2.4.2 and appendices A.1, A.2.</summary>
    public class ChaCha20Tests
    {
        private const string File = "rfc8439-chacha20.txt";

        public static IEnumerable<object[]> Blocks => VectorFile.Names(File, "block");
        public static IEnumerable<object[]> Encryptions => VectorFile.Names(File, "encrypt");

        private static uint[] Words(string s)
        {
            string[] parts = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var w = new uint[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                w[i] = uint.Parse(parts[i], NumberStyles.HexNumber);
            return w;
        }

        [Fact]
        public void QuarterRound_Rfc8439_2_1_1()
        {
            var v = VectorFile.Get(File, "quarter-round 2.1.1");
            uint[] x = Words(v["input"]);
            ChaCha20.QuarterRound(x, 0, 1, 2, 3);
            Assert.Equal(Words(v["output"]), x);
        }

        [Fact]
        public void QuarterRoundOnState_Rfc8439_2_2_1()
        {
            var v = VectorFile.Get(File, "state-quarter-round 2.2.1");
            uint[] x = Words(v["input"]);
            ChaCha20.QuarterRound(x, 2, 7, 8, 13);
            Assert.Equal(Words(v["output"]), x);
        }

        [Theory]
        [MemberData(nameof(Blocks))]
        public void Block_MatchesVector(string name)
        {
            var v = VectorFile.Get(File, name);
            var c = new ChaCha20();
            c.Init(v.Bytes("key"), 0, v.Bytes("nonce"), 0, uint.Parse(v["counter"]));
            var output = new byte[64];
            c.Block(output, 0);
            Assert.Equal(v["output"], Hex.Encode(output));
            Assert.Equal(uint.Parse(v["counter"]) + 1, c.Counter);
        }

        [Theory]
        [MemberData(nameof(Encryptions))]
        public void Encrypt_MatchesVector(string name)
        {
            var v = VectorFile.Get(File, name);
            byte[] key = v.Bytes("key"), nonce = v.Bytes("nonce"), plaintext = v.Bytes("plaintext");
            var c = new ChaCha20();
            c.Init(key, 0, nonce, 0, uint.Parse(v["counter"]));
            var output = new byte[plaintext.Length + 7];
            c.Process(plaintext, 0, output, 5, plaintext.Length);
            Assert.Equal(v["ciphertext"], Hex.Encode(output, 5, plaintext.Length));
            Assert.Equal(0, output[0] | output[plaintext.Length + 5]);

            // Decryption is the same operation, here in place.
            c.Init(key, 0, nonce, 0, uint.Parse(v["counter"]));
            c.Process(output, 5, output, 5, plaintext.Length);
            Assert.Equal(v["plaintext"], Hex.Encode(output, 5, plaintext.Length));
        }

        [Fact]
        public void Process_InPieces_ContinuesAtBlockBoundaries()
        {
            var v = VectorFile.Get(File, "encrypt A.2 #2");
            byte[] key = v.Bytes("key"), nonce = v.Bytes("nonce"), plaintext = v.Bytes("plaintext");
            var c = new ChaCha20();
            c.Init(key, 0, nonce, 0, 1);
            var output = new byte[plaintext.Length];
            c.Process(plaintext, 0, output, 0, 128);
            c.Process(plaintext, 128, output, 128, 64);
            c.Process(plaintext, 192, output, 192, plaintext.Length - 192);
            Assert.Equal(v["ciphertext"], Hex.Encode(output));
        }

        [Fact]
        public void Clear_ForgetsTheKey()
        {
            var c = new ChaCha20();
            var key = new byte[32];
            key[0] = 1;
            c.Init(key, 0, new byte[12], 0, 0);
            var a = new byte[64];
            c.Clear();
            c.Block(a, 0);
            var zeroKey = new ChaCha20();
            zeroKey.Init(new byte[32], 0, new byte[12], 0, 0);
            var b = new byte[64];
            zeroKey.Block(b, 0);
            Assert.Equal(b, a);
        }
    }
}
