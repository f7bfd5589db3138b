using Warp.Protocol.Config;

namespace Warp.Firmware
{
    /// <summary>
    /// The hotel networks the station may join, kept as the "wifi-networks" record: one
    /// "ssid TAB password" line each, in the order they are tried, the last one that worked first.
    /// The passwords are secrets: nothing here prints them.
    /// </summary>
    public sealed class StationList
    {
        public const string Record = "wifi-networks";
        public const int MaxNetworks = 8;
        public const int MaxRecordBytes = 2048;

        readonly string[] ssids = new string[MaxNetworks];
        readonly string[] passwords = new string[MaxNetworks];
        int count;

        public int Count { get { return count; } }
        public string Ssid(int i) { return ssids[i]; }
        public string Password(int i) { return passwords[i]; }

        /// <summary>Reads the list from its record bytes; lines that do not parse are skipped.</summary>
        public static StationList Parse(byte[] data, int offset, int length)
        {
            var list = new StationList();
            if (data == null || length <= 0)
                return list;
            string text = Utf8Text.Decode(data, offset, length);
            int start = 0;
            while (start < text.Length && list.count < MaxNetworks)
            {
                int end = text.IndexOf('\n', start);
                if (end < 0)
                    end = text.Length;
                string line = text.Substring(start, end - start);
                int tab = line.IndexOf('\t');
                if (tab > 0)
                    list.Add(line.Substring(0, tab), line.Substring(tab + 1));
                start = end + 1;
            }
            return list;
        }

        /// <summary>The record's bytes.</summary>
        public byte[] ToBytes()
        {
            string text = "";
            for (int i = 0; i < count; i++)
                text += ssids[i] + "\t" + passwords[i] + "\n";
            return Utf8Text.Encode(text);
        }

        int IndexOf(string ssid)
        {
            for (int i = 0; i < count; i++)
                if (ssids[i] == ssid)
                    return i;
            return -1;
        }

        /// <summary>Adds a network at the end, or replaces the password of one already listed. False when the list is full or the name is unusable.</summary>
        public bool Add(string ssid, string password)
        {
            if (ssid == null || ssid.Length == 0 || ssid.Length > 32 || ssid.IndexOf('\t') >= 0 || ssid.IndexOf('\n') >= 0)
                return false;
            if (password == null)
                password = "";
            if (password.IndexOf('\t') >= 0 || password.IndexOf('\n') >= 0)
                return false;
            int i = IndexOf(ssid);
            if (i >= 0)
            {
                passwords[i] = password;
                return true;
            }
            if (count == MaxNetworks)
                return false;
            ssids[count] = ssid;
            passwords[count] = password;
            count++;
            return true;
        }

        /// <summary>Removes a network; false when it was not listed.</summary>
        public bool Remove(string ssid)
        {
            int i = IndexOf(ssid);
            if (i < 0)
                return false;
            for (int k = i; k < count - 1; k++)
            {
                ssids[k] = ssids[k + 1];
                passwords[k] = passwords[k + 1];
            }
            count--;
            ssids[count] = null;
            passwords[count] = null;
            return true;
        }

        /// <summary>Moves a network one place up in the order (the setup page's Up). False when it is not stored or already first.</summary>
        public bool MoveUp(string ssid)
        {
            int i = IndexOf(ssid);
            if (i <= 0)
                return false;
            string s = ssids[i], p = passwords[i];
            ssids[i] = ssids[i - 1];
            passwords[i] = passwords[i - 1];
            ssids[i - 1] = s;
            passwords[i - 1] = p;
            return true;
        }

        /// <summary>Moves the network that just worked to the front (last good first). False when it already was first.</summary>
        public bool MoveToFront(string ssid)
        {
            int i = IndexOf(ssid);
            if (i <= 0)
                return false;
            string s = ssids[i], p = passwords[i];
            for (int k = i; k > 0; k--)
            {
                ssids[k] = ssids[k - 1];
                passwords[k] = passwords[k - 1];
            }
            ssids[0] = s;
            passwords[0] = p;
            return true;
        }
    }
}
