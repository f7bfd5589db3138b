using Warp.Protocol;

namespace Warp.TestKit
{
    /// <summary>
    /// Seeded randomness for every test (xorshift64): the same seed gives the same bytes on every
    /// run and machine, so a handshake, a NAT port choice or a fuzz case can be reproduced. Not a
    /// CSPRNG; the Linux host uses hal/Linux's SystemRandomSource.
    /// </summary>
    public sealed class SeededRandom : IRandomSource
    {
        ulong state;

        public SeededRandom(long seed) { state = (ulong)seed * 0x9E3779B97F4A7C15UL + 1; }

        /// <summary>Fills (buffer, offset, length) with the next bytes.</summary>
        public void GetBytes(byte[] buffer, int offset, int length) { RandomBytes.Fill(this, buffer, offset, length); }

        public uint NextUInt32()
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return (uint)(state >> 16);
        }
    }
}
