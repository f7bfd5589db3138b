namespace Warp.Protocol.Net
{
    /// <summary>
    /// Splits an IPv4 packet (DF clear) into fragments that fit an MTU (RFC 791 section 3.2,
    /// "fragmentation"): every piece but the last carries a multiple of 8 data bytes and More
    /// Fragments; a packet that was itself a fragment keeps its offset and, on its last piece,
    /// its own More Fragments flag. The header (options included) is copied to every piece: the
    /// router never sends IP options, so the RFC's "copied" flag does not arise.
    /// Pieces are written one at a time into the caller's buffer: nothing allocates.
    /// </summary>
    public static class Ipv4Fragmenter
    {
        /// <summary>Data bytes each piece but the last carries for this header length and MTU (0: the MTU is too small).</summary>
        public static int DataPerPiece(int headerLength, int mtu)
        {
            int n = (mtu - headerLength) & ~7;
            return n < 8 ? 0 : n;
        }

        /// <summary>How many pieces the packet becomes (1 when it fits; 0 when it cannot be split).</summary>
        public static int PieceCount(Ipv4Packet ip, int mtu)
        {
            if (ip.Length <= mtu)
                return 1;
            int per = DataPerPiece(ip.HeaderLength, mtu);
            if (per == 0 || ip.DontFragment)
                return 0;
            return (ip.PayloadLength + per - 1) / per;
        }

        /// <summary>
        /// Writes piece <paramref name="index"/> of <paramref name="ip"/> at (output, outputOffset)
        /// and returns its length, or 0 when there is no such piece or it does not fit the output.
        /// The output must not overlap the packet.
        /// </summary>
        public static int WritePiece(Ipv4Packet ip, int mtu, int index, byte[] output, int outputOffset)
        {
            int per = DataPerPiece(ip.HeaderLength, mtu);
            if (per == 0 || index < 0 || ip.Buffer == null)
                return 0;
            int payload = ip.PayloadLength;
            long startL = (long)index * per;
            if (startL >= payload)
                return 0;
            int start = (int)startL;
            int data = payload - start < per ? payload - start : per;
            int h = ip.HeaderLength;
            if (!Bounds.Fits(output, outputOffset, h + data))
                return 0;
            byte[] b = ip.Buffer;
            System.Array.Copy(b, ip.Offset, output, outputOffset, h);
            System.Array.Copy(b, ip.PayloadOffset + start, output, outputOffset + h, data);
            bool last = start + data >= payload;
            int units = (ip.FragmentOffsetBytes + start) / 8;
            if (units > 0x1FFF)
                return 0;
            int flags = (!last || ip.MoreFragments) ? 0x2000 : 0;
            Endian.Write16(output, outputOffset + 2, (ushort)(h + data));
            Endian.Write16(output, outputOffset + 6, (ushort)(flags | (units & 0x1FFF)));
            Ipv4Packet piece;
            if (Ipv4Packet.TryCreate(output, outputOffset, h + data, out piece))
                piece.UpdateHeaderChecksum();
            return h + data;
        }
    }
}
