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
                byte[] data = File.ReadAllBytes(path);
                if (data.Length > count)
                    return -1;
                Array.Copy(data, 0, buffer, offset, data.Length);
                return data.Length;
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
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
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
