using System.IO;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The provisioning file nanoff's file deployment leaves on the internal flash drive
    /// (e.g. "I:\\warp-provision.txt"). Reads are bounded by the caller's buffer; <see cref="Wipe"/>
    /// writes zeros over the file's length, flushes, then deletes it.
    /// </summary>
    public sealed class FileProvisionDrop : IProvisionDrop
    {
        readonly string path;

        public FileProvisionDrop(string path)
        {
            this.path = path;
        }

        public int Length()
        {
            try
            {
                if (!File.Exists(path))
                    return -1;
                using (FileStream f = new FileStream(path, FileMode.Open, FileAccess.Read))
                {
                    long n = f.Length;
                    return n > int.MaxValue ? int.MaxValue : (int)n;
                }
            }
            catch (IOException)
            {
                return -1;
            }
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                if (!File.Exists(path))
                    return -1;
                using (FileStream f = new FileStream(path, FileMode.Open, FileAccess.Read))
                {
                    long length = f.Length;
                    int want = length > count ? count : (int)length;
                    int done = 0;
                    while (done < want)
                    {
                        int n = f.Read(buffer, offset + done, want - done);
                        if (n <= 0)
                            return -1;
                        done += n;
                    }
                    return length > int.MaxValue ? int.MaxValue : (int)length;
                }
            }
            catch (IOException)
            {
                return -1;
            }
        }

        public bool Wipe()
        {
            try
            {
                if (!File.Exists(path))
                    return true;
                using (FileStream f = new FileStream(path, FileMode.Open, FileAccess.Write))
                {
                    long left = f.Length;
                    byte[] zeros = new byte[256];
                    while (left > 0)
                    {
                        int n = left > zeros.Length ? zeros.Length : (int)left;
                        f.Write(zeros, 0, n);
                        left -= n;
                    }
                    f.Flush();
                }
            }
            catch (IOException)
            {
                // still try to remove it
            }
            try
            {
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
