// CONTRACT, never shipped: mirrors the public signatures of nanoFramework.System.IO.FileSystem 1.1.93
// that hal/Esp32 calls. Bodies throw; the device runs the real assembly from the package.
namespace System.IO
{
    public enum FileMode
    {
        CreateNew = 1,
        Create = 2,
        Open = 3,
        OpenOrCreate = 4,
        Truncate = 5,
        Append = 6,
    }

    [Flags]
    public enum FileAccess
    {
        Read = 1,
        Write = 2,
        ReadWrite = 3,
    }

    public static class File
    {
        public static void Delete(string path) { throw new NotImplementedException(); }
        public static bool Exists(string path) { throw new NotImplementedException(); }
        public static void Move(string sourceFileName, string destFileName) { throw new NotImplementedException(); }
    }

    public static class Directory
    {
        public static bool Exists(string path) { throw new NotImplementedException(); }
    }

    public class FileStream : Stream
    {
        public FileStream(string path, FileMode mode, FileAccess access) { throw new NotImplementedException(); }
        public override long Length { get { throw new NotImplementedException(); } }
        public override void Flush() { throw new NotImplementedException(); }
        public override int Read(byte[] buffer, int offset, int count) { throw new NotImplementedException(); }
        public override void Write(byte[] buffer, int offset, int count) { throw new NotImplementedException(); }
    }
}
