using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace Warp.Router.Linux
{
    /// <summary>Runs lab commands (ip, wg, tcpdump, ...) with a time limit; tells whether a program is installed and whether we are root.</summary>
    public static class Shell
    {
        public static bool IsRoot { get { return Environment.UserName == "root" || GetEuid() == 0; } }

        static int GetEuid()
        {
            try { return int.Parse(File.ReadAllText("/proc/self/status").Split('\n').Single("Uid:").Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]); }
            catch { return -1; }
        }

        static string Single(this string[] lines, string prefix)
        {
            foreach (var l in lines) if (l.StartsWith(prefix)) return l;
            return "";
        }

        public static bool Has(string program)
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/usr/sbin:/sbin:/bin").Split(':'))
                if (File.Exists(Path.Combine(dir, program))) return true;
            return File.Exists("/usr/sbin/" + program) || File.Exists("/sbin/" + program);
        }

        public static string Run(string command, int timeoutMs = 20000, bool check = true)
        {
            var psi = new ProcessStartInfo("/bin/bash", new[] { "-c", command })
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            if (!p.WaitForExit(timeoutMs))
            {
                try { p.Kill(true); } catch { }
                throw new TimeoutException(command + ": timed out after " + timeoutMs + " ms");
            }
            p.WaitForExit();
            if (check && p.ExitCode != 0)
                throw new InvalidOperationException(command + ": exit " + p.ExitCode + "\n" + stderr + stdout);
            return stdout.ToString();
        }

        /// <summary>Starts a long-running command (a server, a capture) in the background; dispose to stop it.</summary>
        public static Process Start(string command)
        {
            var psi = new ProcessStartInfo("/bin/bash", new[] { "-c", "exec " + command })
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var p = Process.Start(psi);
            p.OutputDataReceived += (_, e) => { };
            p.ErrorDataReceived += (_, e) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return p;
        }

        public static void Stop(Process p, bool interrupt = false)
        {
            if (p == null) return;
            try
            {
                if (!p.HasExited)
                {
                    if (interrupt) Run("kill -INT " + p.Id, 5000, false);
                    if (!interrupt || !p.WaitForExit(3000)) p.Kill(true);
                }
                p.WaitForExit(3000);
            }
            catch { }
            p.Dispose();
        }
    }
}
