namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Sliding-window replay protection for transport counters, as RFC 6479 describes: a ring of
    /// 64-bit words where one word is kept free so the window can advance a word at a time
    /// without clearing bits still in use. With W words the window accepts counters up to
    /// (W - 1) * 64 behind the greatest seen. The default, 128 words, gives the 8,128-packet
    /// window of wireguard-go and Linux and costs 1,024 bytes per receiving keypair; a board
    /// short of RAM may choose 32 words (1,984 packets, 256 bytes).
    /// <para>Use <see cref="MayAccept"/> before decrypting (cheap, changes nothing) and
    /// <see cref="Accept"/> after the tag verified (records the counter).</para>
    /// </summary>
    public sealed class ReplayWindow
    {
        readonly ulong[] bitmap;
        readonly int wordMask;
        readonly ulong windowSize;
        ulong greatest;
        bool any;

        /// <param name="words">Ring size in 64-bit words: a power of two, at least 2.</param>
        public ReplayWindow(int words)
        {
            if (words < 2 || (words & (words - 1)) != 0)
                throw new System.ArgumentException("words must be a power of two >= 2");
            bitmap = new ulong[words];
            wordMask = words - 1;
            windowSize = (ulong)(words - 1) * 64;
        }

        /// <summary>How many counters behind the greatest one are still accepted.</summary>
        public ulong WindowSize { get { return windowSize; } }

        /// <summary>Bytes of state: the bitmap plus the counters.</summary>
        public int SizeInBytes { get { return bitmap.Length * 8 + 8 + 1; } }

        public void Reset()
        {
            System.Array.Clear(bitmap, 0, bitmap.Length);
            greatest = 0;
            any = false;
        }

        /// <summary>Ring size in 64-bit words (a fast path keeping this window needs the same).</summary>
        public int Words { get { return bitmap.Length; } }

        /// <summary>
        /// Writes the window for the native fast path (hal/Esp32/native/core/wn_tunnel.h): the greatest
        /// counter (8 bytes, little-endian), "any" (1 byte) and 7 zero bytes, then each word (8 bytes,
        /// little-endian): 16 + 8 * <see cref="Words"/> bytes at (b, offset).
        /// </summary>
        public void WriteState(byte[] b, int offset)
        {
            Net.Endian.Write64LE(b, offset, greatest);
            b[offset + 8] = any ? (byte)1 : (byte)0;
            for (int i = 9; i < 16; i++)
                b[offset + i] = 0;
            for (int i = 0; i < bitmap.Length; i++)
                Net.Endian.Write64LE(b, offset + 16 + 8 * i, bitmap[i]);
        }

        /// <summary>Takes the window back from the same encoding (the fast path saw every counter since it was written).</summary>
        public void ReadState(byte[] b, int offset)
        {
            greatest = Net.Endian.Read64LE(b, offset);
            any = b[offset + 8] != 0;
            for (int i = 0; i < bitmap.Length; i++)
                bitmap[i] = Net.Endian.Read64LE(b, offset + 16 + 8 * i);
        }

        /// <summary>False when the counter is at or past the reject limit, too old, or already seen.</summary>
        public bool MayAccept(ulong counter)
        {
            if (counter >= Limits.RejectAfterMessages)
                return false;
            if (!any || counter > greatest)
                return true;
            if (greatest - counter > windowSize)
                return false;
            int word = (int)(counter >> 6) & wordMask;
            return (bitmap[word] & (1UL << (int)(counter & 63))) == 0;
        }

        /// <summary>Records an authenticated counter. Returns false (recording nothing) when it is a replay or too old.</summary>
        public bool Accept(ulong counter)
        {
            if (counter >= Limits.RejectAfterMessages)
                return false;
            if (!any || counter > greatest)
            {
                ulong newWord = counter >> 6;
                if (any)
                {
                    ulong oldWord = greatest >> 6;
                    ulong advance = newWord - oldWord;
                    if (advance > (ulong)bitmap.Length)
                        advance = (ulong)bitmap.Length;
                    for (ulong i = 1; i <= advance; i++)
                        bitmap[(int)((oldWord + i) & (ulong)wordMask)] = 0;
                }
                else
                {
                    System.Array.Clear(bitmap, 0, bitmap.Length);
                }
                greatest = counter;
                any = true;
            }
            else if (greatest - counter > windowSize)
            {
                return false;
            }
            int w = (int)(counter >> 6) & wordMask;
            ulong bit = 1UL << (int)(counter & 63);
            if ((bitmap[w] & bit) != 0)
                return false;
            bitmap[w] |= bit;
            return true;
        }
    }
}
