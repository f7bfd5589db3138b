using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Lan;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.Uplink;
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
            "  status    tunnel state (up, handshaking, down), handshake and last-received age, endpoint, bytes, uptime\n" +
            "  nat       live NAT sessions\n" +
            "  leases    DHCP leases\n" +
            "  counters  every counter, drops by reason\n" +
            "  log       recent events: handshakes, endpoint changes, leases, table full, store errors\n" +
            "  config    the configuration, secrets hidden\n" +
            "  race      race the paths to the peer again (IPv6 and IPv4, every uplink)\n" +
            "  portal    captive portal: state, Location, last probe, MAC clone; 'portal probe' probes now,\n" +
            "            'portal clone MAC' gives the uplink a device's MAC, 'portal restore' the own one\n" +
            "  help      this list\n" +
            "add -m to status, nat, leases, counters, log or portal for the machine-readable form (one record per line)\n";

        /// <summary>Runs one command line; unknown commands get an error and the help. Returns false for an unknown command.</summary>
        public static bool Execute(Router router, string line, long now, IConsoleOutput o)
        {
            return Execute(router, line, now, o, null);
        }

        /// <summary>
        /// Runs one command line. <paramref name="hostCounters"/> are the host's own counter sets
        /// (e.g. the Linux control socket's), listed by <c>counters</c> after the router's; may be null.
        /// A command followed by <see cref="ConsoleRecord.Flag"/> answers in the machine-readable form;
        /// an unknown command or one without that form then gets an <c>error</c> record.
        /// </summary>
        public static bool Execute(Router router, string line, long now, IConsoleOutput o, CounterSet[] hostCounters)
        {
            string cmd = line == null ? "" : line.Trim().ToLower();
            int space = cmd.IndexOf(' ');
            if (space > 0 && cmd.Substring(space + 1).Trim() == ConsoleRecord.Flag)
                return ExecuteMachine(router, cmd.Substring(0, space), now, o, hostCounters);
            if (cmd == "portal" || cmd.StartsWith("portal "))
                return PortalConsole.Execute(router, cmd, now, o);
            switch (cmd)
            {
                case "status": Status(router, now, o); return true;
                case "nat": NatTable(router, now, o); return true;
                case "leases": Leases(router, now, o); return true;
                case "counters": Counters(router, hostCounters, o); return true;
                case "log": Log(router, now, o); return true;
                case "config": Lines(router.MaskedConfig, o); return true;
                case "race":
                    router.Race(now);
                    o.WriteLine("race started");
                    return true;
                case "help":
                case "": Lines(Help, o); return true;
                default:
                    o.WriteLine("unknown command '" + cmd + "'");
                    Lines(Help, o);
                    return false;
            }
        }

        static bool ExecuteMachine(Router router, string cmd, long now, IConsoleOutput o, CounterSet[] hostCounters)
        {
            switch (cmd)
            {
                case "status": StatusRecords(router, now, o); return true;
                case "nat": NatRecords(router, now, o); return true;
                case "leases": LeaseRecords(router, now, o); return true;
                case "counters": CounterRecords(router, hostCounters, o); return true;
                case "log": LogRecords(router, now, o); return true;
                case "portal": PortalConsole.Records(router, now, o); return true;
                default:
                    bool known = cmd == "config" || cmd == "help" || cmd == "race";
                    o.WriteLine("error" + ConsoleRecord.Field("command", cmd) + ConsoleRecord.Field("reason", known ? "no_machine_form" : "unknown_command"));
                    o.WriteLine(ConsoleRecord.End(1));
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
            string s = "tunnel: " + Peer.StateName(p.State(now)) + "\n";
            s += "last handshake: " + (p.LastHandshakeCompleted < 0 ? "never" : Seconds(now - p.LastHandshakeCompleted) + " ago") + "\n";
            s += "last received: " + (p.LastReceived < 0 ? "never" : Seconds(now - p.LastReceived) + " ago") + "\n";
            s += "endpoint: " + p.Endpoint.ToString() + (p.ClientId != 0 ? " (client id " + p.ClientId.ToString() + ")" : "") + "\n";
            s += "bytes: sent " + p.BytesSent.ToString() + ", received " + p.BytesReceived.ToString() + "\n";
            s += "nat sessions: " + router.Nat.Table.Count.ToString() + " of " + router.Nat.Table.Capacity.ToString() + "\n";
            s += "dhcp leases: " + router.Lan.LeaseCount.ToString() + "\n";
            s += "uptime: " + Seconds(now - router.StartedAt) + "\n";
            PathSelector paths = router.Paths;
            s += "path: " + (paths.Current.IsSet ? paths.Current.ToString() : "(none)") + " on " + router.UplinkName(paths.CurrentUplink)
                + ", rtt " + (paths.Rtt < 0 ? "unknown" : paths.Rtt.ToString() + " ms") + (paths.RaceEnabled ? "" : " (racing off)") + "\n";
            s += "last race: " + (paths.LastRaceAt < 0 ? "never" : Seconds(now - paths.LastRaceAt) + " ago (" + ReasonName(paths.LastRaceReason) + "), "
                + (paths.Racing ? "running" : paths.LastRaceDuration < 0 ? "no winner" : "won by IPv" + paths.LastWinnerFamily.ToString() + " in " + paths.LastRaceDuration.ToString() + " ms")) + "\n";
            UplinkCounters u = paths.Counters;
            s += "races: " + u[UplinkCounter.Races].ToString() + " (won by IPv6 " + u[UplinkCounter.WinsIpv6].ToString() + ", IPv4 " + u[UplinkCounter.WinsIpv4].ToString()
                + "), reconnects " + u[UplinkCounter.Reconnects].ToString() + ", fallbacks " + u[UplinkCounter.Fallbacks].ToString() + "\n";
            s += PortalConsole.StatusLines(router, now);
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
                o.WriteLine(info.Format(t.Hosts, router.Nat.RemoteAddresses));
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
            Counters(router, null, o);
        }

        static void Counters(Router router, CounterSet[] hostCounters, IConsoleOutput o)
        {
            CounterLines(router.CounterSets, o);
            if (hostCounters != null)
                CounterLines(hostCounters, o);
        }

        static void CounterLines(CounterSet[] sets, IConsoleOutput o)
        {
            for (int k = 0; k < sets.Length; k++)
            {
                CounterSet c = sets[k];
                for (int i = 1; i < c.Length; i++)
                    o.WriteLine(c.Module + "." + c.NameAt(i) + " " + c.ValueAt(i).ToString());
            }
        }

        /// <summary>
        /// <c>status -m</c>: one record, "status tunnel=up|handshaking|down handshake_age_ms=N (-1: never)
        /// endpoint=ADDR:PORT client_id=N bytes_sent=N bytes_received=N nat_sessions=N nat_capacity=N
        /// leases=N uptime_ms=N last_received_ms=N (-1: never)" and the portal's fields
        /// (<see cref="PortalConsole.StatusFields"/>), then the end line.
        /// </summary>
        public static void StatusRecords(Router router, long now, IConsoleOutput o)
        {
            Peer p = router.Tunnel.GetPeer(0);
            string r = "status" + ConsoleRecord.Field("tunnel", Peer.StateName(p.State(now)))
                + ConsoleRecord.Field("handshake_age_ms", p.LastHandshakeCompleted < 0 ? -1 : now - p.LastHandshakeCompleted)
                + ConsoleRecord.Field("endpoint", p.Endpoint.IsSet ? p.Endpoint.ToString() : "")
                + ConsoleRecord.Field("client_id", p.ClientId)
                + ConsoleRecord.Field("bytes_sent", p.BytesSent)
                + ConsoleRecord.Field("bytes_received", p.BytesReceived)
                + ConsoleRecord.Field("nat_sessions", router.Nat.Table.Count)
                + ConsoleRecord.Field("nat_capacity", router.Nat.Table.Capacity)
                + ConsoleRecord.Field("leases", router.Lan.LeaseCount)
                + ConsoleRecord.Field("uptime_ms", now - router.StartedAt);
            PathSelector paths = router.Paths;
            UplinkCounters u = paths.Counters;
            r += ConsoleRecord.Field("path", paths.Current.IsSet ? paths.Current.ToString() : "")
                + ConsoleRecord.Field("path_family", paths.Current.Family)
                + ConsoleRecord.Field("path_uplink", router.UplinkName(paths.CurrentUplink))
                + ConsoleRecord.Field("rtt_ms", paths.Rtt)
                + ConsoleRecord.Field("racing", paths.Racing)
                + ConsoleRecord.Field("last_race_age_ms", paths.LastRaceAt < 0 ? -1 : now - paths.LastRaceAt)
                + ConsoleRecord.Field("last_race_reason", paths.LastRaceAt < 0 ? "-" : ReasonName(paths.LastRaceReason))
                + ConsoleRecord.Field("last_race_ms", paths.LastRaceDuration)
                + ConsoleRecord.Field("races", u[UplinkCounter.Races])
                + ConsoleRecord.Field("wins_ipv6", u[UplinkCounter.WinsIpv6])
                + ConsoleRecord.Field("wins_ipv4", u[UplinkCounter.WinsIpv4])
                + ConsoleRecord.Field("reconnects", u[UplinkCounter.Reconnects])
                + ConsoleRecord.Field("fallbacks", u[UplinkCounter.Fallbacks])
                + ConsoleRecord.Field("last_received_ms", p.LastReceived < 0 ? -1 : now - p.LastReceived)
                + PortalConsole.StatusFields(router, now);
            o.WriteLine(r);
            o.WriteLine(ConsoleRecord.End(1));
        }

        /// <summary>The event log, oldest first, one line each ("-12 s kind=... ..."), then how many are held.</summary>
        public static void Log(Router router, long now, IConsoleOutput o)
        {
            EventLog log = router.Events;
            for (int i = 0; i < log.Count; i++)
                o.WriteLine(EventFormat.Line(log, i, now, router.ConfigWarnings));
            o.WriteLine(log.Count.ToString() + " event(s) of " + log.Total.ToString() + " (ring of " + log.Capacity.ToString() + ")");
        }

        /// <summary>
        /// <c>log -m</c>: one record per entry held, oldest first, "event seq=N age_ms=N kind=NAME" and
        /// the kind's fields (<see cref="EventFormat.Fields"/>), then the end line.
        /// </summary>
        public static void LogRecords(Router router, long now, IConsoleOutput o)
        {
            EventLog log = router.Events;
            for (int i = 0; i < log.Count; i++)
                o.WriteLine("event" + ConsoleRecord.Field("seq", log.SequenceAt(i)) + ConsoleRecord.Field("age_ms", now - log.AtMs(i))
                    + EventFormat.Fields(log, i, router.ConfigWarnings));
            o.WriteLine(ConsoleRecord.End(log.Count));
        }

        /// <summary>
        /// <c>nat -m</c>: one record per live session, "nat slot=N proto=tcp|udp|icmp|icmp6 family=4|6
        /// lan=ADDR lan_port=N ext_port=N remote=ADDR|#FINGERPRINT remote_port=N tcp_state=NAME|- dns=0|1
        /// remaining_ms=N", then the end line.
        /// </summary>
        public static void NatRecords(Router router, long now, IConsoleOutput o)
        {
            NatTable t = router.Nat.Table;
            int n = 0;
            for (int slot = 0; slot < t.Capacity; slot++)
            {
                NatEntryInfo e;
                if (!t.TryGetEntry(slot, now, out e))
                    continue;
                o.WriteLine("nat" + ConsoleRecord.Field("slot", e.Slot)
                    + ConsoleRecord.Field("proto", NatEntryInfo.ProtocolName(e.Protocol))
                    + ConsoleRecord.Field("family", e.IsV6 ? 6 : 4)
                    + ConsoleRecord.Field("lan", e.FormatLanAddress(t.Hosts))
                    + ConsoleRecord.Field("lan_port", e.LanPort)
                    + ConsoleRecord.Field("ext_port", e.ExternalPort)
                    + ConsoleRecord.Field("remote", e.FormatRemoteAddress(router.Nat.RemoteAddresses))
                    + ConsoleRecord.Field("remote_port", e.RemotePort)
                    + ConsoleRecord.Field("tcp_state", e.Protocol == 6 ? NatTcpState.Name(e.TcpState) : "-")
                    + ConsoleRecord.Field("dns", e.Redirected)
                    + ConsoleRecord.Field("remaining_ms", e.Remaining));
                n++;
            }
            o.WriteLine(ConsoleRecord.End(n));
        }

        /// <summary>
        /// <c>leases -m</c>: one record per lease slot in use, "lease ip=A.B.C.D mac=XX:XX:XX:XX:XX:XX
        /// state=offered|bound|released|declined|free remaining_ms=N" (0 once released or expired), then the end line.
        /// </summary>
        public static void LeaseRecords(Router router, long now, IConsoleOutput o)
        {
            LanServices lan = router.Lan;
            DhcpLeaseTable t = lan.Leases;
            byte[] mac = new byte[6];
            int n = 0;
            int count = lan.LeaseCount;
            for (int i = 0; i < count; i++)
            {
                int slot = lan.LeaseSlot(i);
                if (slot < 0)
                    break;
                t.CopyMacAt(slot, mac, 0);
                byte state = t.EffectiveState(slot, now);
                long left = t.ExpiresAt(slot) - now;
                o.WriteLine("lease" + ConsoleRecord.Field("ip", LanServices.FormatIpv4(t.AddressAt(slot)))
                    + ConsoleRecord.Field("mac", MacAddress.Format(mac, 0))
                    + ConsoleRecord.Field("state", DhcpLeaseTable.StateName(state))
                    + ConsoleRecord.Field("remaining_ms", left > 0 && state != DhcpLeaseTable.StateReleased ? left : 0));
                n++;
            }
            o.WriteLine(ConsoleRecord.End(n));
        }

        /// <summary>
        /// <c>counters -m</c>: one record per counter (None excluded), the router's sets then the
        /// host's, "counter module=NAME name=NAME value=N drop=0|1", then the end line.
        /// </summary>
        public static void CounterRecords(Router router, CounterSet[] hostCounters, IConsoleOutput o)
        {
            int n = CounterRecordLines(router.CounterSets, o);
            if (hostCounters != null)
                n += CounterRecordLines(hostCounters, o);
            o.WriteLine(ConsoleRecord.End(n));
        }

        static int CounterRecordLines(CounterSet[] sets, IConsoleOutput o)
        {
            int n = 0;
            for (int k = 0; k < sets.Length; k++)
            {
                CounterSet c = sets[k];
                for (int i = 1; i < c.Length; i++)
                {
                    o.WriteLine("counter" + ConsoleRecord.Field("module", c.Module) + ConsoleRecord.Field("name", c.NameAt(i))
                        + ConsoleRecord.Field("value", c.ValueAt(i)) + ConsoleRecord.Field("drop", c.IsDropAt(i)));
                    n++;
                }
            }
            return n;
        }

        /// <summary>The console's name for why a race started.</summary>
        public static string ReasonName(RaceReason r)
        {
            switch (r)
            {
                case RaceReason.Start: return "start";
                case RaceReason.UplinkChange: return "uplink_change";
                case RaceReason.HandshakeFailed: return "handshake_failed";
                case RaceReason.Silence: return "silence";
                case RaceReason.Command: return "command";
                default: return "send_failures";
            }
        }

        static string Seconds(long ms)
        {
            return (ms / 1000).ToString() + " s";
        }
    }
}
