using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using Warp.Firmware;

namespace Warp.Router.Linux
{
    /// <summary>
    /// The console on a tty (`warp-router run --serial PATH`): a USB serial adapter, or one end of
    /// a pseudo-terminal pair in the tests (socat). The line is set raw without echo (stty), so a
    /// password line is never echoed back. A line ends at LF, CR or CR LF and is bounded
    /// (<see cref="MaxLineBytes"/>; the rest of a longer line is dropped, so it stays too long for
    /// a configuration transfer and is refused there). Answers end in CR LF. When the other end goes
    /// away (the pty closes), the tty is opened again while it exists.
    /// </summary>
    public sealed class SerialConsole : IConsoleOutput, IDisposable
    {
        public const int MaxLineBytes = 4096;

        readonly string path;
        readonly Action<string> onLine;
        readonly TextWriter log;
        readonly object writeLock = new object();
        FileStream writer;
        volatile bool disposed;
        Thread thread;

        SerialConsole(string path, Action<string> onLine, TextWriter log)
        {
            this.path = path;
            this.onLine = onLine;
            this.log = log;
        }

        /// <summary>Opens the tty and starts reading lines; each complete line goes to <paramref name="onLine"/> (on the reader's thread).</summary>
        public static SerialConsole Open(string path, Action<string> onLine, TextWriter log)
        {
            if (!File.Exists(path) && !Directory.Exists(Path.GetDirectoryName(path) ?? "/"))
                throw new ArgumentException("--serial: no such tty: " + path);
            var c = new SerialConsole(path, onLine, log);
            c.Attach();
            c.thread = new Thread(c.ReadLoop) { IsBackground = true, Name = "serial" };
            c.thread.Start();
            log.WriteLine("console: serial " + path + " (raw, no echo)");
            return c;
        }

        /// <summary>Sets the line raw without echo (a no-op on a pty whose opener already did) and opens the writer.</summary>
        void Attach()
        {
            try
            {
                var psi = new ProcessStartInfo("stty") { RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { "-F", path, "raw", "-echo", "115200" })
                    psi.ArgumentList.Add(a);
                using var p = Process.Start(psi);
                p.WaitForExit(5000);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
            {
                log.WriteLine("console: stty not run (" + e.Message + "); the tty keeps its settings");
            }
            lock (writeLock)
            {
                writer?.Dispose();
                writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
            }
        }

        void ReadLoop()
        {
            var line = new byte[MaxLineBytes];
            var buffer = new byte[512];
            while (!disposed)
            {
                try
                {
                    using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
                    int n = 0;
                    bool lastCr = false;
                    int got;
                    while (!disposed && (got = reader.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        for (int i = 0; i < got; i++)
                        {
                            byte b = buffer[i];
                            if (b == (byte)'\n' && lastCr)
                            {
                                lastCr = false;
                                continue;
                            }
                            lastCr = b == (byte)'\r';
                            if (b == (byte)'\n' || b == (byte)'\r')
                            {
                                string text = Encoding.UTF8.GetString(line, 0, n);
                                Array.Clear(line, 0, n); // a password or a configuration line
                                n = 0;
                                onLine(text);
                                continue;
                            }
                            if (n < line.Length)
                                line[n++] = b;
                        }
                    }
                    Array.Clear(line, 0, line.Length);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                }
                if (disposed)
                    break;
                Thread.Sleep(500); // the other end went away: open again while the tty is there
                if (File.Exists(path))
                {
                    try { Attach(); } catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { }
                }
            }
        }

        public void WriteLine(string line)
        {
            byte[] b = Encoding.UTF8.GetBytes(line + "\r\n");
            lock (writeLock)
            {
                try
                {
                    writer?.Write(b, 0, b.Length);
                    writer?.Flush();
                }
                catch (IOException)
                {
                    // nobody on the other end: the answer is lost, as on a serial line
                }
            }
        }

        public void Dispose()
        {
            disposed = true;
            lock (writeLock)
            {
                writer?.Dispose();
                writer = null;
            }
        }
    }
}
