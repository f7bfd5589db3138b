using Warp.Protocol.Crypto;

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// The responder's side of WireGuard's cookie mechanism (whitepaper 5.4.7): a random secret
    /// R_m, replaced every <see cref="Limits.CookieRefreshTime"/>, and the cookie
    /// τ = MAC(R_m, A_m') for a source address and port. Plus the load meter that decides when
    /// the responder is "under load" and demands mac2.
    /// </summary>
    internal sealed class CookieChecker
    {
        readonly Blake2s blake = new Blake2s();
        readonly byte[] secret = new byte[32];
        readonly byte[] source = new byte[18];
        long secretCreated;
        bool hasSecret;

        readonly int loadPerSecond;
        long windowStart;
        int windowCount;
        int previousWindowCount;

        public CookieChecker(int loadPerSecond)
        {
            this.loadPerSecond = loadPerSecond;
        }

        /// <summary>τ = MAC(R_m, source address || source port), 16 bytes, into <paramref name="cookie"/>.</summary>
        public void MakeCookie(Endpoint from, long now, IRandomSource entropy, byte[] cookie)
        {
            if (!hasSecret || now - secretCreated >= Limits.CookieRefreshTime)
            {
                RandomBytes.Fill(entropy, secret, 0, 32);
                secretCreated = now;
                hasSecret = true;
            }
            int n = from.AddressLength;
            System.Array.Copy(from.Address, 0, source, 0, n);
            source[n] = (byte)(from.Port >> 8);
            source[n + 1] = (byte)from.Port;
            blake.Mac(secret, 0, 32, source, 0, n + 2, cookie, 0, 16);
            blake.Clear();
        }

        /// <summary>
        /// Counts one received handshake message and says whether the responder is under load:
        /// more than the configured number in the current or the previous one-second window.
        /// </summary>
        public bool CountAndCheckLoad(long now)
        {
            if (now - windowStart >= 1000)
            {
                previousWindowCount = now - windowStart >= 2000 ? 0 : windowCount;
                windowStart = now;
                windowCount = 0;
            }
            windowCount++;
            return windowCount > loadPerSecond || previousWindowCount > loadPerSecond;
        }

        public void Clear()
        {
            CryptoUtil.Clear(secret);
            hasSecret = false;
        }
    }
}
