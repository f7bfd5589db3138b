using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace Warp.Edge
{
    /// <summary>What the front listens on, where it forwards, and how.</summary>
    public sealed class FrontOptions
    {
        public EdgeMode Mode = EdgeMode.ClientId;
        /// <summary>The anycast address(es) and port clients send to (one socket each; IPv4 and IPv6 alike).</summary>
        public List<IPEndPoint> Listen = new List<IPEndPoint>();
        /// <summary>The backends (wireguard-go), in order: backend i is Backends[i].</summary>
        public List<IPEndPoint> Backends = new List<IPEndPoint>();
        /// <summary>The local address the per-flow sockets towards the backends bind to (null: any).</summary>
        public IPAddress BackendSide;
        /// <summary>At most this many flows (a client 4-tuple towards one backend, one socket each).</summary>
        public int MaxFlows = 512;
        /// <summary>A flow whose backend has answered is closed after this long without traffic.</summary>
        public int FlowIdleMs = 180000;
        /// <summary>A flow whose backend never answered is closed after this long.</summary>
        public int UnconfirmedIdleMs = 15000;
        /// <summary>At most this many client ids get their own counters; the rest are summed in `ids_untracked`.</summary>
        public int MaxTrackedIds = 256;
        /// <summary>One log line per routing decision that opens a flow, and per handshake message.</summary>
        public bool Debug;
    }

    /// <summary>
    /// The front of a WARP-like edge. It receives WireGuard datagrams on the anycast address,
    /// picks a backend (<see cref="EdgeMode"/>), clears the reserved bytes and forwards the datagram
    /// on a socket of its own for that client 4-tuple and backend (a flow), so the backend sees each
    /// client 4-tuple as its own endpoint and WireGuard's roaming follows a client whose NAT rebinds.
    /// Whatever the backend sends on a flow goes back to that client from the anycast socket, so
    /// the client only ever sees the front's address. Every drop is counted by reason; counters per
    /// backend and per client id are kept for <see cref="Render"/>.
    /// </summary>
    public sealed class EdgeFront : IDisposable
    {
        sealed class Flow
        {
            public int Listener;
            public IPEndPoint Client;
            public int Backend;
            public Socket Upstream;
            public long LastActive;
            public bool Confirmed;
        }

        readonly struct FlowKey : IEquatable<FlowKey>
        {
            public readonly int Listener, Backend;
            public readonly IPEndPoint Client;
            public FlowKey(int listener, IPEndPoint client, int backend) { Listener = listener; Client = client; Backend = backend; }
            public bool Equals(FlowKey o) { return Listener == o.Listener && Backend == o.Backend && Client.Equals(o.Client); }
            public override bool Equals(object o) { return o is FlowKey k && Equals(k); }
            public override int GetHashCode() { return HashCode.Combine(Listener, Backend, Client); }
        }

        /// <summary>Counters of one backend.</summary>
        public sealed class BackendStats
        {
            public long DatagramsTo, BytesTo, DatagramsFrom, BytesFrom, Flows, InitiationsTo, ResponsesFrom;
        }

        /// <summary>Counters of one client id (0: the clients without one).</summary>
        public sealed class IdStats
        {
            public readonly long[] Kinds = new long[6];
            public long[] PerBackend;
        }

        readonly FrontOptions options;
        readonly TextWriter log;
        readonly Socket[] listeners;
        readonly IPEndPoint[] listenerAddress;
        readonly Dictionary<FlowKey, Flow> flows = new Dictionary<FlowKey, Flow>();
        readonly Dictionary<Socket, Flow> byUpstream = new Dictionary<Socket, Flow>();
        readonly Stopwatch clock = Stopwatch.StartNew();
        readonly byte[] buffer = new byte[65536];
        readonly object gate = new object();
        readonly long[] drops = new long[8];
        long datagramsIn, toBackends, toClients, flowsOpened, flowsExpired, flowsEvicted, idsUntracked;
        public readonly BackendStats[] Backends;
        readonly Dictionary<int, IdStats> Ids = new Dictionary<int, IdStats>();
        volatile bool stopping;

        public EdgeFront(FrontOptions options, TextWriter log)
        {
            if (options.Backends.Count < 1) throw new ArgumentException("the front needs at least one backend");
            if (options.Listen.Count < 1) throw new ArgumentException("the front needs at least one address to listen on");
            this.options = options;
            this.log = log ?? TextWriter.Null;
            Backends = new BackendStats[options.Backends.Count];
            for (int i = 0; i < Backends.Length; i++) Backends[i] = new BackendStats();
            listeners = new Socket[options.Listen.Count];
            listenerAddress = new IPEndPoint[options.Listen.Count];
            try
            {
                for (int i = 0; i < listeners.Length; i++)
                {
                    var ep = options.Listen[i];
                    var s = new Socket(ep.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                    listeners[i] = s;
                    if (ep.AddressFamily == AddressFamily.InterNetworkV6) s.DualMode = false;
                    s.Blocking = false;
                    s.ReceiveBufferSize = 4 << 20;
                    s.Bind(ep);
                    listenerAddress[i] = (IPEndPoint)s.LocalEndPoint;
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The bound address of listener <paramref name="i"/> (with its real port when 0 was asked).</summary>
        public IPEndPoint ListenAddress(int i) { return listenerAddress[i]; }

        public int FlowCount { get { lock (gate) return flows.Count; } }

        public long Drops(FrontDrop reason) { return Interlocked.Read(ref drops[(int)reason]); }

        long Now { get { return clock.ElapsedMilliseconds; } }

        /// <summary>Serves until <see cref="Stop"/>; every second it expires idle flows and calls <paramref name="everySecond"/>.</summary>
        public void Run(Action everySecond = null)
        {
            var ready = new List<Socket>();
            long nextHousekeeping = Now + 1000;
            while (!stopping)
            {
                ready.Clear();
                lock (gate)
                {
                    foreach (var s in listeners) ready.Add(s);
                    foreach (var s in byUpstream.Keys) ready.Add(s);
                }
                try
                {
                    Socket.Select(ready, null, null, 100000);
                }
                catch (ObjectDisposedException)
                {
                    continue;
                }
                catch (SocketException)
                {
                    continue;
                }
                lock (gate)
                {
                    foreach (var s in ready)
                    {
                        int li = Array.IndexOf(listeners, s);
                        if (li >= 0)
                            DrainClients(li);
                        else if (byUpstream.TryGetValue(s, out Flow f))
                            DrainBackend(f);
                    }
                }
                if (Now >= nextHousekeeping)
                {
                    nextHousekeeping = Now + 1000;
                    lock (gate) Expire();
                    everySecond?.Invoke();
                }
            }
        }

        public void Stop() { stopping = true; }

        void DrainClients(int li)
        {
            Socket s = listeners[li];
            EndPoint any = new IPEndPoint(s.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
            for (int burst = 0; burst < 256; burst++)
            {
                EndPoint from = any;
                int n;
                try
                {
                    if (s.Available == 0 && burst > 0) return;
                    n = s.ReceiveFrom(buffer, ref from);
                }
                catch (SocketException)
                {
                    return; // would block, or an ICMP error reported on the socket: nothing to read
                }
                datagramsIn++;
                FromClient(li, (IPEndPoint)from, n);
            }
        }

        void FromClient(int li, IPEndPoint client, int n)
        {
            FrontDrop d = EdgeRouting.Classify(buffer, n, out MessageKind kind, out int id);
            if (d != FrontDrop.None)
            {
                drops[(int)d]++;
                return;
            }
            int backend = options.Mode == EdgeMode.ClientId && id != 0
                ? EdgeRouting.ForClientId(id, Backends.Length)
                : EdgeRouting.ForTuple(client, listenerAddress[li], Backends.Length);
            var key = new FlowKey(li, client, backend);
            if (!flows.TryGetValue(key, out Flow flow))
            {
                flow = Open(key);
                if (flow == null)
                {
                    drops[(int)FrontDrop.FlowTableFull]++;
                    return;
                }
                if (options.Debug)
                    log.WriteLine($"edge: route new flow {Show(client)} id={id:x6} {EdgeRouting.Name(kind)} -> backend {backend} ({Show(options.Backends[backend])}) by {(options.Mode == EdgeMode.ClientId && id != 0 ? "client id" : "4-tuple")} from local port {((IPEndPoint)flow.Upstream.LocalEndPoint).Port}");
            }
            else if (options.Debug && kind != MessageKind.Data && kind != MessageKind.Keepalive)
                log.WriteLine($"edge: route {EdgeRouting.Name(kind)} {Show(client)} id={id:x6} -> backend {backend}");
            Count(id, kind, backend);
            EdgeRouting.ClearReserved(buffer);
            flow.LastActive = Now;
            try
            {
                flow.Upstream.SendTo(buffer, 0, n, SocketFlags.None, options.Backends[backend]);
            }
            catch (SocketException)
            {
                drops[(int)FrontDrop.SendFailed]++;
                return;
            }
            toBackends++;
            var b = Backends[backend];
            b.DatagramsTo++;
            b.BytesTo += n;
            if (kind == MessageKind.Initiation) b.InitiationsTo++;
        }

        void Count(int id, MessageKind kind, int backend)
        {
            if (!Ids.TryGetValue(id, out IdStats st))
            {
                if (Ids.Count >= options.MaxTrackedIds)
                {
                    idsUntracked++;
                    return;
                }
                st = new IdStats { PerBackend = new long[Backends.Length] };
                Ids[id] = st;
            }
            st.Kinds[(int)kind]++;
            st.PerBackend[backend]++;
        }

        Flow Open(FlowKey key)
        {
            if (flows.Count >= options.MaxFlows && !EvictOne())
                return null;
            var be = options.Backends[key.Backend];
            var s = new Socket(be.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                s.Blocking = false;
                IPAddress side = options.BackendSide != null && options.BackendSide.AddressFamily == be.AddressFamily
                    ? options.BackendSide
                    : (be.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any);
                s.Bind(new IPEndPoint(side, 0));
            }
            catch (SocketException)
            {
                s.Dispose();
                return null;
            }
            var f = new Flow { Listener = key.Listener, Client = key.Client, Backend = key.Backend, Upstream = s, LastActive = Now };
            flows[key] = f;
            byUpstream[s] = f;
            flowsOpened++;
            Backends[key.Backend].Flows++;
            return f;
        }

        /// <summary>Makes room: the least recently active flow whose backend never answered goes.</summary>
        bool EvictOne()
        {
            FlowKey victim = default;
            Flow oldest = null;
            foreach (var kv in flows)
                if (!kv.Value.Confirmed && (oldest == null || kv.Value.LastActive < oldest.LastActive))
                {
                    oldest = kv.Value;
                    victim = kv.Key;
                }
            if (oldest == null) return false;
            Close(victim, oldest);
            flowsEvicted++;
            return true;
        }

        void Close(FlowKey key, Flow f)
        {
            flows.Remove(key);
            byUpstream.Remove(f.Upstream);
            f.Upstream.Dispose();
        }

        void Expire()
        {
            long now = Now;
            List<FlowKey> old = null;
            foreach (var kv in flows)
            {
                long idle = now - kv.Value.LastActive;
                if (idle > (kv.Value.Confirmed ? options.FlowIdleMs : options.UnconfirmedIdleMs))
                    (old ??= new List<FlowKey>()).Add(kv.Key);
            }
            if (old == null) return;
            foreach (var k in old)
            {
                var f = flows[k];
                if (options.Debug)
                    log.WriteLine($"edge: flow {Show(f.Client)} -> backend {f.Backend} closed after {now - f.LastActive} ms idle");
                Close(k, f);
                flowsExpired++;
            }
        }

        void DrainBackend(Flow f)
        {
            EndPoint any = new IPEndPoint(f.Upstream.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
            for (int burst = 0; burst < 256; burst++)
            {
                EndPoint from = any;
                int n;
                try
                {
                    if (f.Upstream.Available == 0 && burst > 0) return;
                    n = f.Upstream.ReceiveFrom(buffer, ref from);
                }
                catch (SocketException)
                {
                    return;
                }
                if (!from.Equals(options.Backends[f.Backend]))
                {
                    drops[(int)FrontDrop.ForeignReply]++;
                    continue;
                }
                if (EdgeRouting.Classify(buffer, n, out MessageKind kind, out _) != FrontDrop.None)
                {
                    drops[(int)FrontDrop.BadReply]++;
                    continue;
                }
                var b = Backends[f.Backend];
                b.DatagramsFrom++;
                b.BytesFrom += n;
                if (kind == MessageKind.Response) b.ResponsesFrom++;
                if (options.Debug && kind != MessageKind.Data && kind != MessageKind.Keepalive)
                    log.WriteLine($"edge: backend {f.Backend} {EdgeRouting.Name(kind)} -> {Show(f.Client)}");
                f.Confirmed = true;
                f.LastActive = Now;
                try
                {
                    listeners[f.Listener].SendTo(buffer, 0, n, SocketFlags.None, f.Client);
                    toClients++;
                }
                catch (SocketException)
                {
                    drops[(int)FrontDrop.SendFailed]++;
                }
            }
        }

        static string Show(IPEndPoint ep)
        {
            return ep.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ep.Address + "]:" + ep.Port : ep.ToString();
        }

        /// <summary>
        /// The counters as text, one record per line:
        /// <c>front key=value ...</c>, <c>backend index=I address=A:P key=value ...</c>,
        /// <c>clientid id=HEX6 initiation=N response=N cookie=N data=N keepalive=N backends=N,N,N</c>.
        /// </summary>
        public string Render()
        {
            lock (gate)
            {
                var sb = new StringBuilder();
                var inv = CultureInfo.InvariantCulture;
                sb.Append("front mode=").Append(options.Mode == EdgeMode.Ecmp ? "ecmp" : "clientid")
                  .Append(" backends=").Append(Backends.Length)
                  .Append(" datagrams_in=").Append(datagramsIn.ToString(inv))
                  .Append(" to_backends=").Append(toBackends.ToString(inv))
                  .Append(" to_clients=").Append(toClients.ToString(inv))
                  .Append(" flows=").Append(flows.Count.ToString(inv))
                  .Append(" flows_opened=").Append(flowsOpened.ToString(inv))
                  .Append(" flows_expired=").Append(flowsExpired.ToString(inv))
                  .Append(" flows_evicted=").Append(flowsEvicted.ToString(inv))
                  .Append(" ids_untracked=").Append(idsUntracked.ToString(inv));
                for (int d = 1; d < drops.Length; d++)
                    sb.Append(' ').Append(EdgeRouting.Name((FrontDrop)d)).Append('=').Append(drops[d].ToString(inv));
                sb.Append('\n');
                for (int i = 0; i < Backends.Length; i++)
                {
                    var b = Backends[i];
                    sb.Append("backend index=").Append(i).Append(" address=").Append(Show(options.Backends[i]))
                      .Append(" datagrams_to=").Append(b.DatagramsTo).Append(" bytes_to=").Append(b.BytesTo)
                      .Append(" datagrams_from=").Append(b.DatagramsFrom).Append(" bytes_from=").Append(b.BytesFrom)
                      .Append(" flows=").Append(b.Flows).Append(" initiations_to=").Append(b.InitiationsTo)
                      .Append(" responses_from=").Append(b.ResponsesFrom).Append('\n');
                }
                var ids = new List<int>(Ids.Keys);
                ids.Sort();
                foreach (int id in ids)
                {
                    var st = Ids[id];
                    sb.Append("clientid id=").Append(id.ToString("x6", inv));
                    for (int k = 1; k <= 5; k++)
                        sb.Append(' ').Append(EdgeRouting.Name((MessageKind)k)).Append('=').Append(st.Kinds[k]);
                    sb.Append(" backends=");
                    for (int i = 0; i < st.PerBackend.Length; i++)
                        sb.Append(i == 0 ? "" : ",").Append(st.PerBackend[i]);
                    sb.Append('\n');
                }
                return sb.ToString();
            }
        }

        /// <summary>Writes <see cref="Render"/> to <paramref name="path"/> through a temporary file and a rename, so a reader never sees half of it.</summary>
        public void WriteStats(string path)
        {
            string tmp = path + ".tmp";
            File.WriteAllText(tmp, Render());
            File.Move(tmp, path, true);
        }

        public void Dispose()
        {
            lock (gate)
            {
                foreach (var s in listeners) s?.Dispose();
                foreach (var f in flows.Values) f.Upstream.Dispose();
                flows.Clear();
                byUpstream.Clear();
            }
        }
    }
}
