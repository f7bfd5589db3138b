using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO.Ports;
using System.Text;
using System.Threading;

namespace Warp.Hil.Tests
{
    /// <summary>
    /// The router's console on a serial line (System.IO.Ports): a board's USB serial bridge, or the
    /// bench end of the pseudo-terminal pair that warp-router's --serial holds. A machine-readable
    /// answer ends at its `end records=` line; a human one when the line has been quiet for 300 ms.
    /// </summary>
    public sealed class SerialLine : IDisposable
    {
        readonly SerialPort port;
        readonly StringBuilder received = new StringBuilder();
        readonly object gate = new object();
        /// <summary>Everything received, for the test log (bounded).</summary>
        public readonly StringBuilder Transcript = new StringBuilder();

        public SerialLine(string path, int baud)
        {
            port = new SerialPort(path, baud, Parity.None, 8, StopBits.One) { NewLine = "\n", DtrEnable = false, RtsEnable = false, Handshake = Handshake.None };
            port.DataReceived += (s, e) =>
            {
                try
                {
                    string t = port.ReadExisting();
                    lock (gate)
                    {
                        received.Append(t);
                        if (Transcript.Length < 1 << 20) Transcript.Append(t);
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException || ex is System.IO.IOException) { }
            };
            port.Open();
        }

        /// <summary>RTS high holds EN low on the usual ESP32 boards (esptool's reset); for WARP_HIL_RESET=dtr.</summary>
        public void PulseReset()
        {
            port.DtrEnable = false;
            port.RtsEnable = true;
            Thread.Sleep(200);
            port.RtsEnable = false;
        }

        /// <summary>Writes a line without waiting for an answer.</summary>
        public void Send(string line)
        {
            lock (gate) received.Clear();
            port.Write(line + "\n");
        }

        public List<string> Command(string command, int timeoutMs)
        {
            lock (gate) received.Clear();
            port.Write(command + "\n");
            bool machine = command.EndsWith(" -m", StringComparison.Ordinal);
            var sw = Stopwatch.StartNew();
            int quiet = 0;
            string text = "";
            while (sw.ElapsedMilliseconds < timeoutMs)
            {
                Thread.Sleep(50);
                string now;
                lock (gate) now = received.ToString();
                if (machine && now.Contains("end records=") && now.EndsWith("\n", StringComparison.Ordinal)) { text = now; break; }
                if (!machine && now.Length > 0 && now == text) { if (++quiet >= 6) break; }
                else quiet = 0;
                text = now;
            }
            var lines = new List<string>();
            foreach (string l in text.Replace("\r", "").Split('\n'))
            {
                string x = l.StartsWith("> ", StringComparison.Ordinal) ? l.Substring(2) : l;
                if (x.Length > 0 && x != command) lines.Add(x);
            }
            return lines;
        }

        public void Dispose() { port.Dispose(); }
    }
}
