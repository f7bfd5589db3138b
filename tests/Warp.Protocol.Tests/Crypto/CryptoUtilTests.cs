using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    public class CryptoUtilTests
    {
        [Fact]
        public void ConstantTimeEquals_ComparesRanges()
        {
            var a = new byte[] { 9, 1, 2, 3, 4 };
            var b = new byte[] { 1, 2, 3, 4 };
            Assert.True(CryptoUtil.ConstantTimeEquals(a, 1, b, 0, 4));
            Assert.True(CryptoUtil.ConstantTimeEquals(a, 0, b, 0, 0));
            for (int i = 0; i < 4; i++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    b[i] ^= (byte)(1 << bit);
                    Assert.False(CryptoUtil.ConstantTimeEquals(a, 1, b, 0, 4));
                    b[i] ^= (byte)(1 << bit);
                }
            }
        }

        [Fact]
        public void IsZero_SeesEveryByte()
        {
            var a = new byte[33];
            Assert.True(CryptoUtil.IsZero(a, 0, 33));
            for (int i = 0; i < a.Length; i++)
            {
                a[i] = 0x80;
                Assert.False(CryptoUtil.IsZero(a, 0, 33));
                Assert.True(i == 0 || CryptoUtil.IsZero(a, 0, i));
                a[i] = 0;
            }
        }

        [Fact]
        public void Clear_ZeroesSecrets()
        {
            var a = new byte[] { 1, 2, 3, 4 };
            CryptoUtil.Clear(a, 1, 2);
            Assert.Equal(new byte[] { 1, 0, 0, 4 }, a);
            CryptoUtil.Clear(a);
            Assert.Equal(new byte[4], a);
            var w = new uint[] { 5, 6 };
            CryptoUtil.Clear(w);
            Assert.Equal(new uint[2], w);
            CryptoUtil.Clear((byte[])null);
        }
    }
}
