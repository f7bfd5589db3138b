using System;

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// WARP's 24-bit client id. Cloudflare's edge routes by it, so a WARP client writes it into
    /// bytes 1 to 3 (the "reserved zero" bytes) of every message it sends; that keeps the
    /// session on one server when a NAT changes our source port. 0 means a standard WireGuard
    /// peer, which drops any message whose reserved bytes are not zero.
    /// The registration API returns it as <c>config.client_id</c>, base64, of which the first
    /// three bytes are the reserved bytes.
    /// </summary>
    public static class ClientId
    {
        /// <summary>Packs three bytes (byte 1, 2, 3 of a message, in order) into one value.</summary>
        public static int FromBytes(byte b1, byte b2, byte b3)
        {
            return (b1 << 16) | (b2 << 8) | b3;
        }

        /// <summary>
        /// Parses a client id from WARP's base64 <c>client_id</c> (its first three bytes) or
        /// from three decimal bytes as "b1,b2,b3" (the form wireproxy-style configs use).
        /// Returns false, leaving <paramref name="clientId"/> 0, when the text is neither.
        /// </summary>
        public static bool TryParse(string text, out int clientId)
        {
            clientId = 0;
            if (text == null)
                return false;
            text = text.Trim();
            if (text.Length == 0)
                return false;
            if (text.IndexOf(',') >= 0)
                return TryParseDecimalBytes(text, out clientId);
            byte[] raw;
            try
            {
                raw = Convert.FromBase64String(text);
            }
            catch (Exception)
            {
                return false; // not base64 (configuration input, not the packet path)
            }
            if (raw == null || raw.Length < 3)
                return false;
            clientId = FromBytes(raw[0], raw[1], raw[2]);
            return true;
        }

        static bool TryParseDecimalBytes(string text, out int clientId)
        {
            clientId = 0;
            string[] parts = text.Split(',');
            if (parts.Length != 3)
                return false;
            int value = 0;
            for (int i = 0; i < 3; i++)
            {
                string p = parts[i].Trim();
                if (p.Length == 0 || p.Length > 3)
                    return false;
                int b = 0;
                for (int k = 0; k < p.Length; k++)
                {
                    char c = p[k];
                    if (c < '0' || c > '9')
                        return false;
                    b = b * 10 + (c - '0');
                }
                if (b > 255)
                    return false;
                value = (value << 8) | b;
            }
            clientId = value;
            return true;
        }

        /// <summary>Writes the client id into bytes 1-3 of a message about to be sent. 0 leaves them zero.</summary>
        public static void Write(byte[] message, int offset, int clientId)
        {
            message[offset + 1] = (byte)(clientId >> 16);
            message[offset + 2] = (byte)(clientId >> 8);
            message[offset + 3] = (byte)clientId;
        }
    }
}
