namespace Warp.Protocol.Config
{
    /// <summary>
    /// How the router picks its path to the peer ([Router] section): <c>Race = on|off</c> (on: IPv6
    /// and IPv4, and every uplink, raced as RFC 8305 says; off: one path at a time, the next after
    /// an unanswered handshake) and <c>ConnectionAttemptDelay</c> (RFC 8305's delay between
    /// attempts, 100 ms to 2 s, 250 ms by default).
    /// </summary>
    public sealed class UplinkSettings
    {
        public const int DefaultConnectionAttemptDelay = 250;
        public const int MinConnectionAttemptDelay = 100;
        public const int MaxConnectionAttemptDelay = 2000;

        public bool Race = true;
        /// <summary>Milliseconds.</summary>
        public int ConnectionAttemptDelay = DefaultConnectionAttemptDelay;

        /// <summary>"250", "250ms" or "1s" (one decimal point allowed with s: "0.5s") within 100 ms .. 2 s.</summary>
        public static bool TryParseDelay(string text, out int milliseconds)
        {
            milliseconds = 0;
            if (text == null)
                return false;
            string t = text.Trim().ToLower();
            int scale = 1;
            if (t.EndsWith("ms"))
                t = t.Substring(0, t.Length - 2).Trim();
            else if (t.EndsWith("s"))
            {
                t = t.Substring(0, t.Length - 1).Trim();
                scale = 1000;
            }
            int dot = t.IndexOf('.');
            int whole, fraction = 0;
            if (dot >= 0)
            {
                if (scale != 1000 || dot == t.Length - 1 || t.Length - dot - 1 > 3)
                    return false;
                string f = t.Substring(dot + 1);
                if (!ConfigValues.TryParseRange(f, 0, 999, out fraction))
                    return false;
                for (int i = f.Length; i < 3; i++)
                    fraction *= 10;
                t = dot == 0 ? "0" : t.Substring(0, dot);
            }
            if (!ConfigValues.TryParseRange(t, 0, 100000, out whole))
                return false;
            milliseconds = whole * scale + (scale == 1000 ? fraction : 0);
            return milliseconds >= MinConnectionAttemptDelay && milliseconds <= MaxConnectionAttemptDelay;
        }
    }
}
