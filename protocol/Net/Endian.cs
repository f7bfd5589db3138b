namespace Warp.Protocol.Net
{
    /// <summary>
    /// Network byte order (big-endian) reads and writes on byte arrays. Every view reads and
    /// writes its fields through these helpers. Callers check bounds once (in a view's
    /// TryCreate); these helpers do not check again.
    /// </summary>
    public static class Endian
    {
        /// <summary>Reads a big-endian 16-bit value at <paramref name="offset"/>.</summary>
        public static ushort Read16(byte[] b, int offset)
        {
            return (ushort)((b[offset] << 8) | b[offset + 1]);
        }

        /// <summary>Reads a big-endian 32-bit value at <paramref name="offset"/>.</summary>
        public static uint Read32(byte[] b, int offset)
        {
            return ((uint)b[offset] << 24) | ((uint)b[offset + 1] << 16) | ((uint)b[offset + 2] << 8) | b[offset + 3];
        }

        /// <summary>Writes a big-endian 16-bit value at <paramref name="offset"/>.</summary>
        public static void Write16(byte[] b, int offset, ushort value)
        {
            b[offset] = (byte)(value >> 8);
            b[offset + 1] = (byte)value;
        }

        /// <summary>Writes a big-endian 32-bit value at <paramref name="offset"/>.</summary>
        public static void Write32(byte[] b, int offset, uint value)
        {
            b[offset] = (byte)(value >> 24);
            b[offset + 1] = (byte)(value >> 16);
            b[offset + 2] = (byte)(value >> 8);
            b[offset + 3] = (byte)value;
        }

        /// <summary>Reads a little-endian 32-bit value (WireGuard's message fields).</summary>
        public static uint Read32LE(byte[] b, int offset)
        {
            return b[offset] | ((uint)b[offset + 1] << 8) | ((uint)b[offset + 2] << 16) | ((uint)b[offset + 3] << 24);
        }

        /// <summary>Writes a little-endian 32-bit value (WireGuard's message fields).</summary>
        public static void Write32LE(byte[] b, int offset, uint value)
        {
            b[offset] = (byte)value;
            b[offset + 1] = (byte)(value >> 8);
            b[offset + 2] = (byte)(value >> 16);
            b[offset + 3] = (byte)(value >> 24);
        }

        /// <summary>Reads a little-endian 64-bit value (WireGuard's counter field).</summary>
        public static ulong Read64LE(byte[] b, int offset)
        {
            return Read32LE(b, offset) | ((ulong)Read32LE(b, offset + 4) << 32);
        }

        /// <summary>Writes a little-endian 64-bit value (WireGuard's counter field).</summary>
        public static void Write64LE(byte[] b, int offset, ulong value)
        {
            Write32LE(b, offset, (uint)value);
            Write32LE(b, offset + 4, (uint)(value >> 32));
        }
    }
}
