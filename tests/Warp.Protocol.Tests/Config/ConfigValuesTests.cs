using System;
using System.Text;
using Warp.Protocol.Config;
using Xunit;

namespace Warp.Protocol.Tests.ConfigFile
{
    /// <summary>The value syntaxes (ConfigValues) and the UTF-8 codec (Utf8Text).</summary>
    public class ConfigValuesTests
    {
        [Theory]
        [InlineData("0", 0u)]
        [InlineData("4294967295", 4294967295u)]
        [InlineData("0042", 42u)]
        public void UIntParses(string text, uint expected)
        {
            Assert.True(ConfigValues.TryParseUInt(text, out uint v));
            Assert.Equal(expected, v);
        }

        [Theory]
        [InlineData("")]
        [InlineData("4294967296")]
        [InlineData("99999999999")]
        [InlineData("+1")]
        [InlineData("-1")]
        [InlineData(" 1")]
        [InlineData("1e3")]
        [InlineData("١")]   // Arabic-Indic digit one: char.IsDigit says yes, we say no
        public void UIntRefuses(string text)
        {
            Assert.False(ConfigValues.TryParseUInt(text, out _));
        }

        [Theory]
        [InlineData("45", 45)]
        [InlineData("45s", 45)]
        [InlineData("3m", 180)]
        [InlineData("2 h", 7200)]
        [InlineData("7D", 604800)]
        public void Durations(string text, int seconds)
        {
            Assert.True(ConfigValues.TryParseDuration(text, 604800, out int v));
            Assert.Equal(seconds, v);
            Assert.True(ConfigValues.TryParseDuration(ConfigValues.FormatDuration(v), 604800, out int back));
            Assert.Equal(v, back);
        }

        [Theory]
        [InlineData("8d")]
        [InlineData("4294967295d")]  // overflow of seconds must not wrap
        [InlineData("m")]
        [InlineData("1w")]
        [InlineData("1.5h")]
        public void DurationsRefused(string text)
        {
            Assert.False(ConfigValues.TryParseDuration(text, 604800, out _));
        }

        [Theory]
        [InlineData("engage.cloudflareclient.com", true)]
        [InlineData("a-b.example", true)]
        [InlineData("localhost", true)]
        [InlineData("1.2.3.4", false)]
        [InlineData("-a.example", false)]
        [InlineData("a-.example", false)]
        [InlineData("a..example", false)]
        [InlineData("example.", false)]
        [InlineData("exa mple", false)]
        [InlineData("under_score.example", false)]
        public void HostNames(string text, bool ok)
        {
            Assert.Equal(ok, ConfigValues.IsHostName(text));
        }

        [Fact]
        public void KeyDecodingNeedsExactly32Bytes()
        {
            Assert.NotNull(ConfigValues.TryDecodeKey(ConfigSamples.PrivateKey));
            Assert.Null(ConfigValues.TryDecodeKey(ConfigSamples.PrivateKey.TrimEnd('=')));
            Assert.Null(ConfigValues.TryDecodeKey(Convert.ToBase64String(new byte[33])));
            Assert.Null(ConfigValues.TryDecodeKey("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="));
            Assert.Null(ConfigValues.TryDecodeKey(ConfigSamples.PrivateKey.Replace('+', '-')));
        }

        [Fact]
        public void Utf8MatchesDotNetOnValidText()
        {
            string text = "# Zürich ✓ 😀 [Peer]\r\nA = b";
            byte[] ours = Utf8Text.Encode(text);
            Assert.Equal(Encoding.UTF8.GetBytes(text), ours);
            Assert.Equal(text, Utf8Text.Decode(ours, 0, ours.Length));
        }

        [Theory]
        [InlineData(new byte[] { 0xC0, 0x80 })]             // overlong NUL
        [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]       // a surrogate
        [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // above U+10FFFF
        [InlineData(new byte[] { 0xE2, 0x82 })]             // truncated
        [InlineData(new byte[] { 0x80 })]                   // lone continuation
        [InlineData(new byte[] { 0xFF })]
        public void Utf8MalformedBecomesReplacement(byte[] bad)
        {
            var data = new byte[bad.Length + 2];
            data[0] = (byte)'a';
            Array.Copy(bad, 0, data, 1, bad.Length);
            data[data.Length - 1] = (byte)'z';
            string s = Utf8Text.Decode(data, 0, data.Length);
            Assert.StartsWith("a\uFFFD", s);
            Assert.EndsWith("z", s);
        }

        [Fact]
        public void Utf8RandomBytesNeverThrow()
        {
            var rng = new Random(8);
            for (int i = 0; i < 5000; i++)
            {
                var data = new byte[rng.Next(64)];
                rng.NextBytes(data);
                string s = Utf8Text.Decode(data, 0, data.Length);
                Assert.True(s.Length <= data.Length);
                Utf8Text.Encode(s);
            }
            Assert.Equal("", Utf8Text.Decode(new byte[4], 2, 3)); // out of range: empty, no throw
        }
    }
}
