using System;
using System.IO;
using Warp.Hal;

namespace Warp.Hal.Linux
{
    /// <summary>Records as files in a directory, replaced atomically (write to a temporary file, then rename).</summary>
    public sealed class FileSettingsStore : ISettingsStore
    {
        readonly string directory;

        public FileSettingsStore(string directory)
        {
            this.directory = directory;
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string PathOf(string name)
        {
            foreach (char c in name)
                if (!(char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.'))
                    throw new ArgumentException("bad record name: " + name);
            return Path.Combine(directory, name);
        }

        public int Read(string name, byte[] buffer, int offset, int count)
        {
            string path = PathOf(name);
            try
            {
                using (var f = new FileStream(path, FileMode.Open, FileAccess.Read))
                {
                    long length = f.Length;
                    int want = length < count ? (int)length : count;
                    int got = 0;
                    while (got < want)
                    {
                        int n = f.Read(buffer, offset + got, want - got);
                        if (n <= 0)
                            break;
                        got += n;
                    }
                    if (length > count)
                        return length > int.MaxValue ? int.MaxValue : (int)length;
                    return got;
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return -1;
            }
        }

        public bool Write(string name, byte[] buffer, int offset, int count)
        {
            string path = PathOf(name);
            string temp = path + ".tmp";
            try
            {
                // 0600 whatever the umask: the leases are the neighbours' MAC-to-address bindings.
                var options = new FileStreamOptions
                {
                    Mode = FileMode.Create,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                };
                using (var f = new FileStream(temp, options))
                {
                    f.Write(buffer, offset, count);
                    f.Flush(true);
                }
                File.Move(temp, path, true);
                SyncDirectory();
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // No half-written temporary file stays behind (a directory in the record's place, a full disk).
                try { File.Delete(temp); } catch (Exception d) when (d is IOException || d is UnauthorizedAccessException) { }
                return false;
            }
        }

        /// <summary>fsync(2) of the directory, so the rename survives a power cut (the file's own data was flushed before).</summary>
        void SyncDirectory()
        {
            int fd = Libc.open(directory, 0 /* O_RDONLY: a directory opens read-only */);
            if (fd < 0)
                return;
            Libc.fsync(fd);
            Libc.close(fd);
        }

        public bool Delete(string name)
        {
            string path = PathOf(name);
            try
            {
                File.Delete(path);
                File.Delete(path + ".tmp");
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
