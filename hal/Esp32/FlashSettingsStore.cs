using System.IO;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// Records as files on the device's internal flash drive (LittleFS, "I:\"). A write goes to
    /// "name.new", is flushed and closed; only then is the old record removed and the new one
    /// renamed to it. A power cut leaves the old record or the new one, never half of one:
    /// <list type="bullet">
    /// <item>cut while "name.new" is written: "name" is still there, and the partial "name.new" is ignored and replaced by the next write;</item>
    /// <item>cut between the removal and the rename: only the complete "name.new" is left, and Read finishes the rename.</item>
    /// </list>
    /// </summary>
    public sealed class FlashSettingsStore : ISettingsStore
    {
        readonly string prefix;

        /// <param name="prefix">Where the records go, a path prefix, e.g. "I:\\warp-" (records "I:\\warp-config", ...).</param>
        public FlashSettingsStore(string prefix)
        {
            this.prefix = prefix;
        }

        string PathOf(string name) { return prefix + name; }

        public int Read(string name, byte[] buffer, int offset, int count)
        {
            string path = PathOf(name);
            try
            {
                if (!File.Exists(path))
                {
                    if (!File.Exists(path + ".new"))
                        return -1;
                    File.Move(path + ".new", path); // the cut came between the removal and the rename
                }
                using (FileStream f = new FileStream(path, FileMode.Open, FileAccess.Read))
                {
                    long length = f.Length;
                    int want = length > count ? count : (int)length; // a longer record: its first count bytes, its whole length returned
                    int done = 0;
                    while (done < want)
                    {
                        int n = f.Read(buffer, offset + done, want - done);
                        if (n <= 0)
                            return -1;
                        done += n;
                    }
                    return (int)length;
                }
            }
            catch (IOException)
            {
                return -1;
            }
        }

        public bool Write(string name, byte[] buffer, int offset, int count)
        {
            string path = PathOf(name);
            string next = path + ".new";
            try
            {
                if (File.Exists(next))
                    File.Delete(next);
                using (FileStream f = new FileStream(next, FileMode.Create, FileAccess.Write))
                {
                    f.Write(buffer, offset, count);
                    f.Flush();
                }
                if (File.Exists(path))
                    File.Delete(path);
                File.Move(next, path);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }

        public bool Delete(string name)
        {
            string path = PathOf(name);
            try
            {
                if (File.Exists(path + ".new"))
                    File.Delete(path + ".new"); // else Read would finish an interrupted write of it
                if (File.Exists(path))
                    File.Delete(path);
                return !File.Exists(path);
            }
            catch (IOException)
            {
                return false;
            }
        }
    }
}
