using System;
using System.IO;
using Warp.Router.Linux;
using Xunit;

namespace Warp.Lab.Tests
{
    /// <summary>The LAN lockdown's state file (<see cref="LockdownState"/>) without root: format, checks, refusals.</summary>
    public class LockdownStateTests
    {
        static LockdownState Sample()
        {
            var s = new LockdownState("lan0", "7", "4026531840", "0f1e2d3c-aaaa-bbbb-cccc-000000000001");
            s.Record("/proc/sys/net/ipv6/conf/lan0/disable_ipv6", "0");
            s.Record("/proc/sys/net/ipv4/conf/lan0/arp_ignore", "1");
            s.Record("/proc/sys/net/ipv4/conf/lan0/arp_ignore", "8"); // a second value for a path is not taken
            return s;
        }

        [Fact]
        public void ARenderedFileParsesBackToTheSameValues()
        {
            string text = Sample().Render();
            var back = LockdownState.Parse(text, "lan0", out string why);
            Assert.Null(why);
            Assert.Equal(2, back.Originals.Count);
            Assert.Equal("1", back.Original("/proc/sys/net/ipv4/conf/lan0/arp_ignore"));
            Assert.True(back.SameInstanceAs(Sample()));
            Assert.False(back.SameInstanceAs(new LockdownState("lan0", "8", "4026531840", "0f1e2d3c-aaaa-bbbb-cccc-000000000001")));
            Assert.False(back.SameInstanceAs(new LockdownState("lan0", "7", "4026531841", "0f1e2d3c-aaaa-bbbb-cccc-000000000001")));
        }

        [Theory]
        [InlineData("arp_ignore 1", "arp_ignore 7", "sha256 does not match")]
        [InlineData("sha256 ", "sha257 ", "no sha256 line")]
        public void ADamagedFileIsRefusedWithTheReason(string from, string to, string reason)
        {
            string text = Sample().Render().Replace(from, to);
            Assert.Null(LockdownState.Parse(text, "lan0", out string why));
            Assert.Contains(reason, why);
            // Cut short anywhere: refused, never half read.
            string full = Sample().Render();
            for (int n = 0; n < full.Length - 1; n++)
                Assert.Null(LockdownState.Parse(full.Substring(0, n), "lan0", out _));
        }

        [Fact]
        public void OnlyTheInterfacesOwnSysctlsWithNumbersAreAccepted()
        {
            foreach (var (path, value) in new[]
            {
                ("/proc/sys/kernel/core_pattern", "1"),                    // not a network interface's
                ("/proc/sys/net/ipv4/conf/other/arp_ignore", "1"),         // another interface
                ("/proc/sys/net/ipv4/conf/lan0/../../../kernel/x", "1"),   // a way out
                ("/proc/sys/net/ipv4/conf/lan0/arp_ignore", "|/bin/sh"),   // not a number
            })
            {
                var s = new LockdownState("lan0", "7", "1", "b");
                s.Record(path, value);
                Assert.Null(LockdownState.Parse(s.Render(), "lan0", out string why));
                Assert.Contains("not a sysctl of lan0", why);
            }
            Assert.Null(LockdownState.Parse(Sample().Render(), "lan1", out string other));
            Assert.Contains("interface lan0, not lan1", other);
        }

        [Fact]
        public void OnlyARegularFileOfThisUserWithMode0600IsTrusted()
        {
            const uint reg = 0x8000;
            Assert.Null(LockdownState.Foreign(reg | 0x180, 0, 0));
            Assert.Contains("owned by uid 1000", LockdownState.Foreign(reg | 0x180, 1000, 0));
            Assert.Contains("mode is 0644", LockdownState.Foreign(reg | 0x1A4, 0, 0));
            Assert.Contains("not a regular file", LockdownState.Foreign(0xA000 | 0x1FF, 0, 0)); // a symlink
        }

        [Fact]
        public void WriteIsAtomicAndPrivateAndReadTrustsItBack()
        {
            string dir = Path.Combine(Path.GetTempPath(), "wdr-lks-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string path = Path.Combine(dir, "lan-lockdown.lan0");
                Assert.Null(LockdownState.Read(path, "lan0"));
                Sample().Write(path);
                Assert.False(File.Exists(path + ".tmp"));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
                Assert.Equal("1", LockdownState.Read(path, "lan0").Original("/proc/sys/net/ipv4/conf/lan0/arp_ignore"));
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
                var e = Assert.Throws<InvalidOperationException>(() => LockdownState.Read(path, "lan0"));
                Assert.Contains("refusing the LAN lockdown state file " + path + ": its mode is 0604", e.Message);
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.AppendAllText(path, "x");
                e = Assert.Throws<InvalidOperationException>(() => LockdownState.Read(path, "lan0"));
                Assert.Contains("is damaged", e.Message);
                File.Delete(path);
                File.CreateSymbolicLink(path, "/etc/hostname");
                e = Assert.Throws<InvalidOperationException>(() => LockdownState.Read(path, "lan0"));
                Assert.Contains("not a regular file", e.Message);
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
