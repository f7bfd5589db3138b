using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Warp.Protocol.Nat;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// Text for <see cref="EventLog"/> entries (off the packet path; allocates): the fields of a
    /// <c>log -m</c> record and of a Linux stderr line ("kind=... endpoint=..."), and the human
    /// <c>log</c> line. Nothing secret is in an entry, so nothing secret is printed.
    /// </summary>
    public static class EventFormat
    {
        /// <summary>
        /// The entry's fields as ConsoleRecord fields, each " key=value": kind, then the ones the
        /// kind has (state, endpoint, ip, mac, reason, line, kept, lost, paths, code, text), then repeats.
        /// </summary>
        public static string Fields(EventLog log, int index, ConfigDiagnostics warnings)
        {
            EventKind k = log.KindAt(index);
            string s = ConsoleRecord.Field("kind", EventLog.KindName(k));
            int a = log.ValueAAt(index);
            int b = log.ValueBAt(index);
            switch (k)
            {
                case EventKind.TunnelState:
                    s += ConsoleRecord.Field("state", Peer.StateName(a));
                    break;
                case EventKind.HandshakeComplete:
                case EventKind.HandshakeGaveUp:
                    s += ConsoleRecord.Field("endpoint", Address(log, index));
                    break;
                case EventKind.EndpointChanged:
                    s += ConsoleRecord.Field("endpoint", Address(log, index))
                        + ConsoleRecord.Field("reason", a == EventLog.EndpointRoamed ? "roamed" : a == EventLog.EndpointFamilyDown ? "family_down" : "raced");
                    break;
                case EventKind.PathRace:
                    s += ConsoleRecord.Field("endpoint", Address(log, index)) + ConsoleRecord.Field("paths", a);
                    break;
                case EventKind.Reconnect:
                    s += ConsoleRecord.Field("endpoint", Address(log, index)) + ConsoleRecord.Field("code", a);
                    break;
                case EventKind.LeaseGranted:
                case EventKind.LeaseReleased:
                case EventKind.LeaseDeclined:
                case EventKind.LeaseForgeryRefused:
                case EventKind.LeaseAddressInUse:
                    s += ConsoleRecord.Field("ip", Address(log, index)) + ConsoleRecord.Field("mac", Mac(log, index));
                    break;
                case EventKind.LeaseStoreDamaged:
                    s += ConsoleRecord.Field("kept", a) + ConsoleRecord.Field("lost", b);
                    break;
                case EventKind.NatTableFull:
                    s += ConsoleRecord.Field("reason", a == (int)NatCounter.DropHostTableFull ? "host_table_full"
                        : a == (int)NatCounter.DropPortsExhausted ? "ports_exhausted" : "table_full");
                    break;
                case EventKind.NatHostQuota:
                    s += ConsoleRecord.Field("ip", log.FamilyAt(index) == 4 && a == 4 ? Address(log, index) : "") + ConsoleRecord.Field("mac", Mac(log, index));
                    break;
                case EventKind.ConfigWarning:
                    s += ConsoleRecord.Field("line", a);
                    if (warnings != null && b >= 0 && b < warnings.StoredWarningCount)
                        s += ConsoleRecord.Field("text", warnings.Warning(b).Text);
                    break;
            }
            int repeats = log.RepeatsAt(index);
            if (repeats > 0)
                s += ConsoleRecord.Field("repeats", repeats);
            return s;
        }

        /// <summary>One human line: "  -12 s  lease_granted ip=192.168.42.100 mac=02:..." (age in seconds).</summary>
        public static string Line(EventLog log, int index, long now, ConfigDiagnostics warnings)
        {
            long age = (now - log.AtMs(index)) / 1000;
            return "-" + age.ToString() + " s" + Fields(log, index, warnings);
        }

        static string Address(EventLog log, int index)
        {
            int family = log.FamilyAt(index);
            if (family == 0)
                return "";
            byte[] a = new byte[16];
            log.CopyAddressAt(index, a, 0);
            var e = new Endpoint();
            e.Set(family, a, 0, log.PortAt(index));
            if (log.PortAt(index) != 0)
                return e.ToString();
            if (family == 4)
                return LanServices.FormatIpv4(Endian.Read32(a, 0));
            string s = e.ToString(); // "[addr]:0"
            int close = s.LastIndexOf(']');
            return close > 1 ? s.Substring(1, close - 1) : s;
        }

        static string Mac(EventLog log, int index)
        {
            if (!log.HasMacAt(index))
                return "";
            byte[] m = new byte[6];
            log.CopyMacAt(index, m, 0);
            return MacAddress.Format(m, 0);
        }
    }
}
