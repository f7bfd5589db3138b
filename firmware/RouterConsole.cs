using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Lan;
using Warp.Protocol.Nat;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>Where console answers go, a line at a time (the serial port, stdout, a control socket).</summary>
    public interface IConsoleOutput
    {
        void WriteLine(string line);
    }

    /// <summary>
    /// The console commands, the same on the device's serial console and on the Linux host's
    /// stdin and control socket: status, nat, leases, counters, config, help. Off the packet path;
    /// answers are written a line at a time so a long NAT listing never sits in memory whole
    /// (the device has about 80 KB of heap).
    /// </summary>
    public static class RouterConsole
    {
        public const string Help =
            "commands:\n" +
            "  status    tunnel state, handshake age, endpoint, bytes, uptime\n" +
            "  nat       live NAT sessions\n" +
            "  leases    DHCP leases\n" +
            "  counters  every counter, drops by reason\n" +
            "  config    the configuration, secrets hidden\n" +
            "  help      this list\n";

        /// <summary>Runs one command line; unknown commands get an error and the help. Returns false for an unknown command.</summary>
        public static bool Execute(Router router, string line, long now, IConsoleOutput o)
        {
            string cmd = line == null ? "" : line.Trim().ToLower();
            switch (cmd)
            {
                case "status": Status(router, now, o); return true;
                case "nat": NatTable(router, now, o); return true;
                case "leases": Leases(router, now, o); return true;
                case "counters": Counters(router, o); return true;
                case "config": Lines(router.MaskedConfig, o); return true;
                case "help":
                case "": Lines(Help, o); return true;
                default:
                    o.WriteLine("unknown command '" + cmd + "'");
                    Lines(Help, o);
                    return false;
            }
        }

        static void Lines(string text, IConsoleOutput o)
        {
            string[] lines = text.Split('\n');
            int n = lines.Length;
            if (n > 0 && lines[n - 1].Length == 0)
                n--;
            for (int i = 0; i < n; i++)
                o.WriteLine(lines[i]);
        }

        public static void Status(Router router, long now, IConsoleOutput o)
        {
            Peer p = router.Tunnel.GetPeer(0);
            string s = "tunnel: " + (p.HasSession(now) ? "up" : p.HandshakeInProgress ? "handshaking" : "down") + "\n";
            s += "last handshake: " + (p.LastHandshakeCompleted < 0 ? "never" : Seconds(now - p.LastHandshakeCompleted) + " ago") + "\n";
            s += "endpoint: " + p.Endpoint.ToString() + (p.ClientId != 0 ? " (client id " + p.ClientId.ToString() + ")" : "") + "\n";
            s += "bytes: sent " + p.BytesSent.ToString() + ", received " + p.BytesReceived.ToString() + "\n";
            s += "nat sessions: " + router.Nat.Table.Count.ToString() + " of " + router.Nat.Table.Capacity.ToString() + "\n";
            s += "dhcp leases: " + router.Lan.LeaseCount.ToString() + "\n";
            s += "uptime: " + Seconds(now - router.StartedAt) + "\n";
            Lines(s, o);
        }

        public static void NatTable(Router router, long now, IConsoleOutput o)
        {
            NatTable t = router.Nat.Table;
            int n = 0;
            for (int slot = 0; slot < t.Capacity; slot++)
            {
                NatEntryInfo info;
                if (!t.TryGetEntry(slot, now, out info))
                    continue;
                o.WriteLine(info.Format(t.Hosts));
                n++;
            }
            o.WriteLine(n.ToString() + " session(s)");
        }

        public static void Leases(Router router, long now, IConsoleOutput o)
        {
            LanServices lan = router.Lan;
            for (int i = 0; i < lan.LeaseCount; i++)
                o.WriteLine(lan.FormatLease(i, now));
            o.WriteLine(lan.LeaseCount.ToString() + " lease(s)");
        }

        public static void Counters(Router router, IConsoleOutput o)
        {
            CounterSet[] sets = router.CounterSets;
            for (int k = 0; k < sets.Length; k++)
            {
                CounterSet c = sets[k];
                for (int i = 1; i < c.Length; i++)
                    o.WriteLine(c.Module + "." + c.NameAt(i) + " " + c.ValueAt(i).ToString());
            }
        }

        static string Seconds(long ms)
        {
            return (ms / 1000).ToString() + " s";
        }
    }
}
