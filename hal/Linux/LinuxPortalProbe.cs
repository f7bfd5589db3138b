using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The captive-portal probe on Linux: a plain TCP connection from the host's own stack (bound to
    /// the uplink device when one is named, SO_BINDTODEVICE, as the tunnel's sockets are), one
    /// <c>GET path HTTP/1.1</c> with <c>Host</c> and <c>Connection: close</c>, then at most
    /// <see cref="MaxAnswer"/> bytes read, and closed. It runs on the thread pool so the router's loop
    /// never waits; the core polls it and parses the bytes itself. The name is resolved by the host's
    /// resolver (the router's own DNS use of the uplink, like the peer's endpoint names).
    /// </summary>
    public sealed class LinuxPortalProbe : IPortalProbe, IDisposable
    {
        /// <summary>The most read of an answer; the core takes at most its own buffer of it.</summary>
        public const int MaxAnswer = 4096;
        /// <summary>Each step's own limit (the core cancels at its timeout anyway).</summary>
        public const int StepTimeoutMs = 8000;
        const int SolSocket = 1, SoBindToDevice = 25;

        readonly string device;
        readonly object gate = new object();
        readonly byte[] answer = new byte[MaxAnswer];
        int answerLength;
        ProbeState state = ProbeState.Idle;
        CancellationTokenSource cancel;
        int generation;

        /// <param name="device">The uplink interface to probe from; null: the routing table's choice.</param>
        public LinuxPortalProbe(string device = null) { this.device = device; }

        /// <summary>What went wrong in the last failed probe (for a log line), null otherwise.</summary>
        public string LastError { get; private set; }

        public bool Start(string host, int port, string path, long now)
        {
            lock (gate)
            {
                if (state == ProbeState.Running)
                    return false;
                state = ProbeState.Running;
                answerLength = 0;
                LastError = null;
                cancel?.Dispose();
                cancel = new CancellationTokenSource(3 * StepTimeoutMs);
                int g = ++generation;
                CancellationToken token = cancel.Token;
                Task.Run(() => Probe(host, port, path, g, token));
                return true;
            }
        }

        async Task Probe(string host, int port, string path, int g, CancellationToken token)
        {
            var buffer = new byte[MaxAnswer];
            int n = 0;
            string error = null;
            try
            {
                IPAddress[] addresses = IPAddress.TryParse(host, out IPAddress literal) ? new[] { literal } : await Dns.GetHostAddressesAsync(host, token);
                if (addresses.Length == 0)
                    throw new SocketException((int)SocketError.HostNotFound);
                using var s = new Socket(addresses[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                if (device != null)
                {
                    var name = new byte[device.Length + 1];
                    for (int i = 0; i < device.Length; i++) name[i] = (byte)device[i];
                    s.SetRawSocketOption(SolSocket, SoBindToDevice, name);
                }
                using (var step = CancellationTokenSource.CreateLinkedTokenSource(token))
                {
                    step.CancelAfter(StepTimeoutMs);
                    await s.ConnectAsync(new IPEndPoint(addresses[0], port), step.Token);
                    string hostField = addresses[0].AddressFamily == AddressFamily.InterNetworkV6 && literal != null ? "[" + host + "]" : host;
                    if (port != 80) hostField += ":" + port;
                    byte[] request = Encoding.ASCII.GetBytes("GET " + path + " HTTP/1.1\r\nHost: " + hostField + "\r\nUser-Agent: warp-router\r\nAccept: */*\r\nConnection: close\r\n\r\n");
                    await s.SendAsync(request, SocketFlags.None, step.Token);
                    while (n < buffer.Length)
                    {
                        int got = await s.ReceiveAsync(new ArraySegment<byte>(buffer, n, buffer.Length - n), SocketFlags.None, step.Token);
                        if (got <= 0) break;
                        n += got;
                    }
                }
            }
            catch (Exception e) when (e is SocketException || e is OperationCanceledException || e is ObjectDisposedException || e is ArgumentException)
            {
                error = e is OperationCanceledException ? "timed out" : e.Message;
            }
            lock (gate)
            {
                if (g != generation || state != ProbeState.Running)
                    return; // cancelled meanwhile
                if (n > 0)
                {
                    Array.Copy(buffer, answer, n); // what came before an error or the bound still counts
                    answerLength = n;
                    state = ProbeState.Answered;
                }
                else
                {
                    LastError = error ?? "closed without an answer";
                    state = ProbeState.Failed;
                }
            }
        }

        public ProbeState Poll(byte[] buffer, int offset, int count, out int length)
        {
            lock (gate)
            {
                length = 0;
                ProbeState s = state;
                if (s == ProbeState.Answered)
                {
                    length = Math.Min(answerLength, Math.Max(0, Math.Min(count, buffer.Length - offset)));
                    Array.Copy(answer, 0, buffer, offset, length);
                    Array.Clear(answer, 0, answer.Length);
                }
                if (s == ProbeState.Answered || s == ProbeState.Failed)
                    state = ProbeState.Idle;
                return s;
            }
        }

        public void Cancel()
        {
            lock (gate)
            {
                generation++;
                cancel?.Cancel();
                state = ProbeState.Idle;
            }
        }

        public void Dispose()
        {
            Cancel();
            lock (gate) cancel?.Dispose();
        }
    }
}
