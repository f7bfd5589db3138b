using System;
using System.IO;
using System.Net.Sockets;
using System.Text;
using Warp.Firmware;
using Warp.Hal.Linux;
using Warp.Protocol;

namespace Warp.Router.Linux
{
    /// <summary>What the control socket counts: clients refused, dropped, timed out; commands served.</summary>
    public enum ControlCounter
    {
        None = 0,
        DropBusy,
        DropOverflow,
        DropIdle,
        DropLineTooLong,
        Accepted,
        Commands,
        Count,
    }

    /// <summary>The control socket's counters, listed by <c>counters</c> after the router's (module "control").</summary>
    public sealed class ControlCounters : CounterSet
    {
        static readonly string[] names = { "none", "drop.busy", "drop.overflow", "drop.idle", "drop.line_too_long", "accepted", "commands" };

        public ControlCounters() : base("control", names, (int)ControlCounter.DropLineTooLong + 1) { }
        public long this[ControlCounter c] { get { return Get((int)c); } }
        public void Increment(ControlCounter c) { Add((int)c); }
    }

    /// <summary>
    /// The control socket (a Unix stream socket) served from the router's loop without ever blocking it.
    /// <para>
    /// Protocol: a client connects, sends one command line ending in '\n' and reads the answer until
    /// the server closes the connection: one command per connection, so `warp-router status` needs no
    /// framing. Anything after the first line is ignored.
    /// </para>
    /// <para>
    /// Everything is non-blocking: the listener and up to <see cref="MaxClients"/> accepted clients
    /// join the loop's poll() set (<see cref="AddPollFds"/>); <see cref="Service"/> accepts, reads
    /// what is there into each client's line buffer, runs a complete line's command, and writes the
    /// answer as far as the socket takes it, the rest on later turns (POLLOUT). A client beyond
    /// <see cref="MaxClients"/> gets "busy" and is closed; a line longer than <see cref="MaxLine"/>,
    /// an answer larger than <see cref="MaxOutput"/> (a client that does not read), or
    /// <see cref="IdleTimeoutMs"/> without progress closes the client. Each is counted.
    /// </para>
    /// </summary>
    public sealed class ControlServer : IDisposable
    {
        public const int MaxClients = 8;
        public const int MaxLine = 256;
        /// <summary>Answer bytes buffered per client: a full 4,096-session `nat -m` listing is about 750 KB.</summary>
        public const int MaxOutput = 1 << 20;
        public const long IdleTimeoutMs = 10000;
        /// <summary>poll() descriptors this server may add: the listener and every client.</summary>
        public const int MaxPollFds = MaxClients + 1;
        const short POLLOUT = 0x0004;
        const int AcceptsPerTurn = 16;

        readonly Socket listener;
        readonly string path;
        readonly Client[] clients = new Client[MaxClients];
        readonly byte[] scratch = new byte[4096];
        public readonly ControlCounters Counters = new ControlCounters();

        readonly ulong inode;

        ControlServer(Socket listener, string path)
        {
            this.listener = listener;
            this.path = path;
            inode = HostFiles.Inode(path);
        }

        /// <summary>True when something listens at <paramref name="path"/> (another instance's socket, not a stale file).</summary>
        static bool SomeoneListens(string path)
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        /// <summary>Binds and listens on <paramref name="path"/> (an old socket file is replaced); null with a logged reason when it cannot.</summary>
        public static ControlServer Open(string path, TextWriter log)
        {
            if (string.IsNullOrEmpty(path))
                return null;
            Socket s = null;
            try
            {
                string dir = Path.GetDirectoryName(path);
                if (!string.IsNullOrEmpty(dir))
                    Directory.CreateDirectory(dir);
                if (File.Exists(path))
                {
                    if (SomeoneListens(path))
                    {
                        log.WriteLine("control socket " + path + ": in use by another instance; not replaced (console commands only on stdin)");
                        return null;
                    }
                    File.Delete(path); // stale: left by a router that was killed
                }
                s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                Socket bound = s;
                HostFiles.WithPrivateUmask(() => { bound.Bind(new UnixDomainSocketEndPoint(path)); return 0; });
                HostFiles.ShareWithGroup(path, log); // 0660, group warp-router when it exists: whatever the umask
                s.Listen(16);
                s.Blocking = false;
                log.WriteLine("control socket: " + path);
                return new ControlServer(s, path);
            }
            catch (Exception e) when (e is SocketException || e is IOException || e is UnauthorizedAccessException)
            {
                s?.Dispose();
                log.WriteLine("control socket " + path + ": " + e.Message + " (console commands only on stdin)");
                return null;
            }
        }

        /// <summary>Number of clients connected now.</summary>
        public int ClientCount
        {
            get
            {
                int n = 0;
                foreach (var c in clients) if (c != null) n++;
                return n;
            }
        }

        /// <summary>Adds the listener and every client (POLLIN while reading, POLLOUT while an answer waits) at fds[n...]; returns the new n.</summary>
        public unsafe int AddPollFds(Libc.PollFd* fds, int n)
        {
            fds[n++] = new Libc.PollFd { Fd = (int)listener.Handle, Events = Libc.POLLIN };
            foreach (var c in clients)
                if (c != null)
                    fds[n++] = new Libc.PollFd { Fd = (int)c.Socket.Handle, Events = c.Answered ? POLLOUT : Libc.POLLIN };
            return n;
        }

        /// <summary>
        /// One turn: reads, runs at most one command per client (<paramref name="execute"/>
        /// writes its answer), writes, closes the finished, the idle and the overflowing, then accepts. Never blocks.
        /// </summary>
        public void Service(long now, Action<string, IConsoleOutput> execute)
        {
            for (int i = 0; i < clients.Length; i++)
            {
                Client c = clients[i];
                if (c == null)
                    continue;
                if (!c.Answered && !Read(c, now, execute))
                {
                    Close(i);
                    continue;
                }
                if (c.Answered && !Flush(c, now))
                {
                    Close(i);
                    continue;
                }
                if (c.Answered && c.Pending == 0)
                {
                    Finish(i);
                    continue;
                }
                if (now - c.LastProgress > IdleTimeoutMs)
                {
                    Counters.Increment(ControlCounter.DropIdle);
                    Close(i);
                }
            }
            // After the clients: a slot freed in this turn (a client that hung up) is free for a newcomer.
            // A newcomer's line is read on the next turn (poll() returns at once when it is there).
            Accept(now);
        }

        void Accept(long now)
        {
            for (int k = 0; k < AcceptsPerTurn; k++)
            {
                Socket s;
                try { s = listener.Accept(); }
                catch (SocketException) { return; }
                catch (ObjectDisposedException) { return; }
                s.Blocking = false;
                int free = Array.IndexOf(clients, null);
                if (free < 0)
                {
                    Counters.Increment(ControlCounter.DropBusy);
                    byte[] busy = Encoding.ASCII.GetBytes("busy\n");
                    s.Send(busy, 0, busy.Length, SocketFlags.None, out SocketError _);
                    Discard(s);
                    continue;
                }
                Counters.Increment(ControlCounter.Accepted);
                clients[free] = new Client(s, now);
            }
        }

        /// <summary>Reads what is there; runs the command once its line is complete. False when the client is to be closed.</summary>
        bool Read(Client c, long now, Action<string, IConsoleOutput> execute)
        {
            while (true)
            {
                int n = c.Socket.Receive(scratch, 0, scratch.Length, SocketFlags.None, out SocketError err);
                if (err == SocketError.WouldBlock)
                    return true;
                if (err != SocketError.Success || n == 0)
                {
                    // Closed before a whole line: a final line without '\n' still counts (e.g. `echo -n status | nc -U`).
                    if (err == SocketError.Success && c.LineLength > 0)
                        return Run(c, Encoding.UTF8.GetString(c.Line, 0, c.LineLength), now, execute);
                    return false;
                }
                c.LastProgress = now;
                int end = Array.IndexOf(scratch, (byte)'\n', 0, n);
                int take = end < 0 ? n : end;
                if (c.LineLength + take > MaxLine)
                {
                    Counters.Increment(ControlCounter.DropLineTooLong);
                    return false;
                }
                Array.Copy(scratch, 0, c.Line, c.LineLength, take);
                c.LineLength += take;
                if (end >= 0)
                    return Run(c, Encoding.UTF8.GetString(c.Line, 0, c.LineLength), now, execute);
            }
        }

        bool Run(Client c, string line, long now, Action<string, IConsoleOutput> execute)
        {
            Counters.Increment(ControlCounter.Commands);
            c.Answered = true;
            c.LastProgress = now;
            execute(line.Trim(), c);
            if (c.Overflowed)
            {
                Counters.Increment(ControlCounter.DropOverflow);
                return false;
            }
            return true;
        }

        /// <summary>Writes as much of the answer as the socket takes. False on an error (the client went away).</summary>
        static bool Flush(Client c, long now)
        {
            while (c.Pending > 0)
            {
                int n = c.Socket.Send(c.Output, c.Sent, c.Pending, SocketFlags.None, out SocketError err);
                if (err == SocketError.WouldBlock)
                    return true;
                if (err != SocketError.Success)
                    return false;
                c.Sent += n;
                c.LastProgress = now;
            }
            return true;
        }

        /// <summary>The answer is out: shut down the sending side so the client's read ends, and close.</summary>
        void Finish(int i)
        {
            Client c = clients[i];
            try { c.Socket.Shutdown(SocketShutdown.Send); } catch (SocketException) { }
            Close(i);
        }

        void Close(int i)
        {
            Discard(clients[i].Socket);
            clients[i] = null;
        }

        /// <summary>
        /// Reads away anything the client sent beyond its line before closing: closing a Unix socket
        /// with unread data would make the client's next read fail with ECONNRESET instead of EOF.
        /// </summary>
        void Discard(Socket s)
        {
            for (int k = 0; k < 16; k++)
            {
                int n = s.Receive(scratch, 0, scratch.Length, SocketFlags.None, out SocketError err);
                if (err != SocketError.Success || n == 0)
                    break;
            }
            s.Dispose();
        }

        public void Dispose()
        {
            for (int i = 0; i < clients.Length; i++)
                if (clients[i] != null)
                    Close(i);
            listener.Dispose();
            // Only our own socket: never one another instance has bound at this path since.
            if (inode != 0 && HostFiles.Inode(path) == inode)
                try { File.Delete(path); } catch (IOException) { }
        }

        /// <summary>One connection: its line buffer and its answer buffer (grown up to <see cref="MaxOutput"/>).</summary>
        sealed class Client : IConsoleOutput
        {
            public readonly Socket Socket;
            public readonly byte[] Line = new byte[MaxLine];
            public int LineLength;
            public bool Answered;
            public bool Overflowed;
            public byte[] Output = new byte[4096];
            public int Length;
            public int Sent;
            public long LastProgress;

            public Client(Socket socket, long now)
            {
                Socket = socket;
                LastProgress = now;
            }

            public int Pending { get { return Length - Sent; } }

            public void WriteLine(string line)
            {
                if (Overflowed)
                    return;
                int n = Encoding.UTF8.GetByteCount(line) + 1;
                if (Length + n > MaxOutput)
                {
                    Overflowed = true;
                    return;
                }
                if (Length + n > Output.Length)
                {
                    int size = Output.Length;
                    while (size < Length + n) size *= 2;
                    Array.Resize(ref Output, Math.Min(size, MaxOutput));
                }
                Length += Encoding.UTF8.GetBytes(line, 0, line.Length, Output, Length);
                Output[Length++] = (byte)'\n';
            }
        }
    }
}
