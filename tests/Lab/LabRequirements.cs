using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Warp.Router.Linux;
using Xunit;

namespace Warp.Lab.Tests
{
    /// <summary>Whether the lab can run here: root and the programs it drives.</summary>
    public static class LabRequirements
    {
        /// <summary>
        /// Skips the test where the lab cannot run (not root, a tool missing), except in CI,
        /// where a missing prerequisite is a failure: build/test.sh installs everything.
        /// </summary>
        public static void RequireLab(params string[] programs)
        {
            string missing = Shell.IsRoot ? null : "root";
            foreach (var p in programs)
                if (missing == null && !Shell.Has(p)) missing = p;
            if (missing == null)
            {
                TakeMachineLock();
                return;
            }
            if (Environment.GetEnvironmentVariable("CI") == "true")
                Assert.Fail("the lab needs " + missing + " (build/test.sh installs it)");
            Skip.If(true, "the lab needs " + missing);
        }

        [DllImport("libc", SetLastError = true)] static extern int flock(int fd, int operation);
        static FileStream machineLock;
        static readonly object gate = new object();

        /// <summary>
        /// The labs use fixed namespace names, wireguard-go's shared socket directory and /tmp/warp-lab,
        /// so two test processes on one machine (two checkouts) must not build labs at the same time:
        /// the first lab test of a process waits for a machine-wide flock and holds it until the process ends.
        /// </summary>
        static void TakeMachineLock()
        {
            lock (gate)
            {
                if (machineLock != null)
                    return;
                var deadline = DateTime.UtcNow.AddMinutes(30);
                while (true)
                {
                    // .NET takes a shared flock when it opens the file (its FileShare emulation), so while
                    // another process holds the exclusive lock the open itself fails: that is waiting too.
                    FileStream f = null;
                    try
                    {
                        f = new FileStream("/tmp/warp-lab-tests.lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
                        if (flock((int)f.SafeFileHandle.DangerousGetHandle(), 2 | 4) == 0) // LOCK_EX | LOCK_NB
                        {
                            machineLock = f;
                            return;
                        }
                    }
                    catch (IOException)
                    {
                    }
                    f?.Dispose();
                    if (DateTime.UtcNow > deadline)
                        Assert.Fail("another process has held the lab lock for 30 minutes");
                    Thread.Sleep(500);
                }
            }
        }
    }
}
