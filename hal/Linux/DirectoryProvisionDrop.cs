using System;
using System.IO;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The Linux host's stand-in for the ESP32's internal drive (warp-router run --drop-dir DIR):
    /// the provisioning file is DIR/NAME. Same contract as the device's: bounded reads, and a wipe
    /// that writes zeros over the file's length, flushes to disk, then deletes it.
    /// </summary>
    public sealed class DirectoryProvisionDrop : IProvisionDrop
    {
        readonly string path;

        public DirectoryProvisionDrop(string directory, string name)
        {
            path = Path.Combine(directory, name);
        }

        public string FilePath { get { return path; } }

        public int Length()
        {
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists)
                    return -1;
                return info.Length > int.MaxValue ? int.MaxValue : (int)info.Length;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return -1;
            }
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                using var f = new FileStream(path, FileMode.Open, FileAccess.Read);
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
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
            {
                return -1;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
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
                using (var f = new FileStream(path, FileMode.Open, FileAccess.Write))
                {
                    long left = f.Length;
                    var zeros = new byte[4096];
                    while (left > 0)
                    {
                        int n = left > zeros.Length ? zeros.Length : (int)left;
                        f.Write(zeros, 0, n);
                        left -= n;
                    }
                    f.Flush(true);
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // still try to remove it
            }
            try
            {
                File.Delete(path);
                return !File.Exists(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
