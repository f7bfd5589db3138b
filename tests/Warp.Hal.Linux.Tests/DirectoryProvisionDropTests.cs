using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Warp.Hal.Linux;
using Xunit;

namespace Warp.Hal.Linux.Tests
{
    /// <summary>The Linux stand-in for the ESP32's internal drive (warp-router run --drop-dir).</summary>
    public class DirectoryProvisionDropTests : IDisposable
    {
        readonly string dir = Directory.CreateTempSubdirectory("warp-drop-").FullName;

        public void Dispose() { Directory.Delete(dir, true); }

        [Fact]
        public void ReadsAreBoundedAndTheWholeLengthIsReported()
        {
            var drop = new DirectoryProvisionDrop(dir, "warp-provision.txt");
            Assert.Equal(-1, drop.Length());
            Assert.Equal(-1, drop.Read(new byte[8], 0, 8));
            File.WriteAllBytes(drop.FilePath, Enumerable.Range(0, 100).Select(i => (byte)i).ToArray());
            Assert.Equal(100, drop.Length());
            var b = new byte[10];
            Assert.Equal(100, drop.Read(b, 0, 10));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), b);
        }

        [Fact]
        public void WipeOverwritesTheBytesInPlaceThenRemovesTheFile()
        {
            var drop = new DirectoryProvisionDrop(dir, "warp-provision.txt");
            var secret = new byte[5000];
            new Random(3).NextBytes(secret);
            secret[0] = 0x41;
            File.WriteAllBytes(drop.FilePath, secret);
            // A second name for the same inode (ln, not ours) shows what is left of the data after the wipe.
            string witness = Path.Combine(dir, "witness");
            using (var ln = Process.Start(new ProcessStartInfo("ln", new[] { drop.FilePath, witness })))
                ln.WaitForExit();
            Assert.True(File.Exists(witness));
            Assert.True(drop.Wipe());
            Assert.False(File.Exists(drop.FilePath));
            var left = File.ReadAllBytes(witness);
            Assert.Equal(secret.Length, left.Length);
            Assert.All(left, x => Assert.Equal(0, x));
            Assert.True(drop.Wipe()); // nothing there: still true
        }
    }
}
