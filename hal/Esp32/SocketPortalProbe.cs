using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The captive-portal probe on the ESP32: an lwIP TCP socket on a thread of its own, so the
    /// router's loop never waits for a connect (lwIP's connect blocks). The thread resolves the
    /// host (lwIP's DNS, the router's own use of the uplink), connects, sends
    /// <c>GET path HTTP/1.1</c> with Host and Connection: close, reads at most
    /// <see cref="MaxAnswer"/> bytes with a receive timeout, and closes. A probe the core cancels is
    /// left to finish on its own; its answer is dropped (a generation number). Nothing is allocated
    /// per poll; a probe allocates its thread, its request and its 1 KB answer buffer (at most every
    /// 30 s), and the buffer is let go once the core has read it.
    /// </summary>
    public sealed class SocketPortalProbe : IPortalProbe
    {
        /// <summary>The most read of an answer (the core reads at most its own 1 KB of it).</summary>
        public const int MaxAnswer = 1024;
        /// <summary>Send and receive timeouts of the socket (the core cancels at 10 s anyway).</summary>
        public const int TimeoutMs = 8000;

        readonly object sync = new object();
        byte[] answer; // the finished probe's own buffer, until it is polled: no kilobyte held between probes
        int answerLength;
        ProbeState state = ProbeState.Idle;
        int generation;
        string host, path;
        int port;

        public bool Start(string host, int port, string path, long now)
        {
            lock (sync)
            {
                if (state == ProbeState.Running)
                    return false;
                this.host = host;
                this.port = port;
                this.path = path;
                answerLength = 0;
                state = ProbeState.Running;
                generation++;
            }
            try
            {
                new Thread(Run).Start();
                return true;
            }
            catch (System.Exception)
            {
                lock (sync)
                    state = ProbeState.Idle; // no thread to be had: the core tries again later
                return false;
            }
        }

        void Run()
        {
            int g;
            string h, p;
            int n;
            lock (sync)
            {
                g = generation;
                h = host;
                p = path;
                n = port;
            }
            byte[] buffer = new byte[MaxAnswer];
            int got = 0;
            Socket s = null;
            try
            {
                IPAddress address = Resolve(h);
                if (address != null)
                {
                    s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    s.SendTimeout = TimeoutMs;
                    s.ReceiveTimeout = TimeoutMs;
                    s.Connect(new IPEndPoint(address, n));
                    byte[] request = Ascii("GET " + p + " HTTP/1.1\r\nHost: " + h + (n != 80 ? ":" + n.ToString() : "")
                        + "\r\nUser-Agent: warp-router\r\nAccept: */*\r\nConnection: close\r\n\r\n");
                    s.Send(request, 0, request.Length, SocketFlags.None);
                    while (got < buffer.Length)
                    {
                        int r = s.Receive(buffer, got, buffer.Length - got, SocketFlags.None);
                        if (r <= 0)
                            break;
                        got += r;
                    }
                }
            }
            catch (System.Exception)
            {
                // SocketException (refused, timed out, reset) or a DNS failure: what came before still counts.
            }
            finally
            {
                if (s != null)
                    s.Close();
            }
            lock (sync)
            {
                if (g != generation || state != ProbeState.Running)
                    return;
                if (got > 0)
                {
                    answer = buffer;
                    answerLength = got;
                    state = ProbeState.Answered;
                }
                else
                {
                    state = ProbeState.Failed;
                }
            }
        }

        static IPAddress Resolve(string h)
        {
            bool literal = h.Length > 0;
            for (int i = 0; i < h.Length; i++)
            {
                char c = h[i];
                if (!(c >= '0' && c <= '9') && c != '.')
                    literal = false;
            }
            if (literal)
                return IPAddress.Parse(h);
            IPHostEntry e = Dns.GetHostEntry(h);
            return e != null && e.AddressList != null && e.AddressList.Length > 0 ? e.AddressList[0] : null;
        }

        /// <summary>The request's characters as bytes (it is ASCII: the core checked the URL; mscorlib has no Encoding).</summary>
        static byte[] Ascii(string s)
        {
            byte[] b = new byte[s.Length];
            for (int i = 0; i < s.Length; i++)
                b[i] = (byte)s[i];
            return b;
        }

        public ProbeState Poll(byte[] buffer, int offset, int count, out int length)
        {
            lock (sync)
            {
                length = 0;
                ProbeState s = state;
                if (s == ProbeState.Answered && answer != null)
                {
                    int n = answerLength;
                    if (n > count)
                        n = count;
                    if (n > buffer.Length - offset)
                        n = buffer.Length - offset;
                    if (n < 0)
                        n = 0;
                    System.Array.Copy(answer, 0, buffer, offset, n);
                    answer = null;
                    length = n;
                }
                if (s == ProbeState.Answered || s == ProbeState.Failed)
                    state = ProbeState.Idle;
                return s;
            }
        }

        public void Cancel()
        {
            lock (sync)
            {
                generation++;
                state = ProbeState.Idle;
                answer = null;
            }
        }
    }
}
