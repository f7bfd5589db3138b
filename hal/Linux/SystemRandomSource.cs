using System;
using System.Security.Cryptography;
using Warp.Protocol;

namespace Warp.Hal.Linux
{
    /// <summary>The operating system's CSPRNG as the router's random source; buffered, so a call allocates nothing.</summary>
    public sealed class SystemRandomSource : IRandomSource
    {
        readonly byte[] pool = new byte[256];
        int next = 256;

        public uint NextUInt32()
        {
            if (next > pool.Length - 4)
            {
                RandomNumberGenerator.Fill(pool);
                next = 0;
            }
            uint v = BitConverter.ToUInt32(pool, next);
            Array.Clear(pool, next, 4);
            next += 4;
            return v;
        }
    }
}
