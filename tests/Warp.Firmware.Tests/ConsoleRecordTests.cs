using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Warp.Firmware;
using Warp.Protocol;
using Warp.Protocol.Lan;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>
    /// The console's machine-readable form (`status -m`, `nat -m`, `leases -m`, `counters -m`):
    /// every line of every answer parsed by the grammar in README.md, values checked against the
    /// router's state.
    /// </summary>
    public class ConsoleRecordTests
    {
        sealed class Record
        {
            public string Type;
            public readonly Dictionary<string, string> Fields = new Dictionary<string, string>();
            public readonly List<string> Keys = new List<string>();
            public string this[string key] { get { Assert.True(Fields.ContainsKey(key), Type + " has no " + key); return Fields[key]; } }
            public long Number(string key) { return long.Parse(this[key], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture); }
        }

        static readonly Regex TypeOrKey = new Regex("^[a-z][a-z0-9_.]*$");
        static readonly Regex Value = new Regex("^([\\x21-\\x24\\x26-\\x3C\\x3E-\\x7E]|%[0-9A-F]{2})*$");

        /// <summary>The README grammar: records, then "end records=N" counting them; single spaces; escaped values.</summary>
        static List<Record> Parse(List<string> lines)
        {
            Assert.NotEmpty(lines);
            var records = new List<Record>();
            for (int i = 0; i < lines.Count; i++)
            {
                string line = lines[i];
                Assert.DoesNotContain('\n', line);
                Assert.DoesNotContain('\r', line);
                string[] parts = line.Split(' ');
                var r = new Record { Type = parts[0] };
                Assert.Matches(TypeOrKey, r.Type);
                for (int k = 1; k < parts.Length; k++)
                {
                    int eq = parts[k].IndexOf('=');
                    Assert.True(eq > 0, "field without '=' in: " + line);
                    string key = parts[k].Substring(0, eq), value = parts[k].Substring(eq + 1);
                    Assert.Matches(TypeOrKey, key);
                    Assert.Matches(Value, value);
                    Assert.False(r.Fields.ContainsKey(key), "repeated key " + key);
                    r.Fields[key] = Unescape(value);
                    r.Keys.Add(key);
                }
                bool last = i == lines.Count - 1;
                Assert.Equal(last, r.Type == "end");
                if (last)
                {
                    Assert.Equal(new[] { "records" }, r.Keys);
                    Assert.Equal(records.Count, r.Number("records"));
                }
                else
                {
                    records.Add(r);
                }
            }
            return records;
        }

        static string Unescape(string v)
        {
            var bytes = new List<byte>();
            for (int i = 0; i < v.Length; i++)
            {
                if (v[i] == '%')
                {
                    bytes.Add(byte.Parse(v.Substring(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                }
                else
                {
                    bytes.Add((byte)v[i]);
                }
            }
            return new UTF8Encoding(false, true).GetString(bytes.ToArray());
        }

        static List<Record> Run(RouterHarness h, string command, CounterSet[] host = null)
        {
            var o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, command, h.Now, o, host), command);
            return Parse(o.All);
        }

        /// <summary>A router with a session, a UDP NAT entry from the LAN client and two DHCP leases.</summary>
        static RouterHarness Busy()
        {
            var h = new RouterHarness();
            h.Router.Start(h.Now);
            h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, Encoding.ASCII.GetBytes("hello")));
            h.Router.Poll(h.Now);
            Assert.Single(h.ExchangeWithPeer());
            DhcpLeaseTable t = h.Router.Lan.Leases;
            t.Assign(RouterHarness.ClientMac, 0, RouterHarness.ClientIp, DhcpLeaseTable.StateBound, h.Now + 3_600_000, h.Now);
            t.Assign(new byte[] { 2, 0xC1, 0, 0, 0, 8 }, 0, RouterHarness.ClientIp + 1, DhcpLeaseTable.StateOffered, h.Now + 60_000, h.Now);
            h.Now += 1500;
            return h;
        }

        [Theory]
        [InlineData("plain")]
        [InlineData("")]
        [InlineData("a b=c%d")]
        [InlineData("tab\there\nnewline\r\u0001\u007f")]
        [InlineData("caf\u00e9 \u20ac \U0001F600")]
        public void EscapedValuesMatchTheGrammarAndRoundTrip(string value)
        {
            string escaped = ConsoleRecord.Escape(value);
            Assert.Matches(Value, escaped);
            Assert.Equal(value, Unescape(escaped));
            Assert.Equal(" k=" + escaped, ConsoleRecord.Field("k", value));
        }

        [Fact]
        public void EscapeUsesUpperCaseHexOfEachUtf8Byte()
        {
            Assert.Equal("a%20b%3Dc%25d%C3%A9%0A", ConsoleRecord.Escape("a b=c%d\u00e9\n"));
            Assert.Equal("10.250.2.2:51820", ConsoleRecord.Escape("10.250.2.2:51820"));
            Assert.Equal("", ConsoleRecord.Escape(null));
        }

        [Fact]
        public void StatusRecordMatchesThePeer()
        {
            var h = Busy();
            var r = Assert.Single(Run(h, "status -m"));
            Peer p = h.Router.Tunnel.GetPeer(0);
            Assert.Equal("status", r.Type);
            Assert.Equal(new[] { "tunnel", "handshake_age_ms", "endpoint", "client_id", "bytes_sent", "bytes_received", "nat_sessions", "nat_capacity", "leases", "uptime_ms",
                "path", "path_family", "path_uplink", "rtt_ms", "racing", "last_race_age_ms", "last_race_reason", "last_race_ms", "races", "wins_ipv6", "wins_ipv4", "reconnects", "fallbacks", "last_received_ms",
                "portal", "portal_location", "portal_probe_age_ms", "portal_http_status", "mac_clone", "uplink_mac", "own_uplink_mac" }, r.Keys);
            Assert.Equal("up", r["tunnel"]);
            Assert.Equal(h.Now - p.LastHandshakeCompleted, r.Number("handshake_age_ms"));
            Assert.Equal(1500, r.Number("handshake_age_ms"));
            Assert.Equal("10.250.2.2:51820", r["endpoint"]);
            Assert.Equal(0, r.Number("client_id"));
            Assert.Equal(p.BytesSent, r.Number("bytes_sent"));
            Assert.Equal(p.BytesReceived, r.Number("bytes_received"));
            Assert.True(r.Number("bytes_sent") > 0);
            Assert.Equal(1, r.Number("nat_sessions"));
            Assert.Equal(h.Router.Nat.Table.Capacity, r.Number("nat_capacity"));
            Assert.Equal(2, r.Number("leases"));
            Assert.Equal(h.Now - h.Router.StartedAt, r.Number("uptime_ms"));
            // The racer's fields (appended): one race at start, won by the only path, IPv4.
            Assert.Equal("10.250.2.2:51820", r["path"]);
            Assert.Equal(4, r.Number("path_family"));
            Assert.Equal("default", r["path_uplink"]);
            Assert.Equal(h.Router.Paths.Rtt, r.Number("rtt_ms"));
            Assert.Equal(0, r.Number("racing"));
            Assert.Equal(h.Now - h.Router.Paths.LastRaceAt, r.Number("last_race_age_ms"));
            Assert.Equal("start", r["last_race_reason"]);
            Assert.Equal(h.Router.Paths.LastRaceDuration, r.Number("last_race_ms"));
            Assert.Equal(1, r.Number("races"));
            Assert.Equal(0, r.Number("wins_ipv6"));
            Assert.Equal(1, r.Number("wins_ipv4"));
            Assert.Equal(0, r.Number("reconnects"));
            Assert.Equal(0, r.Number("fallbacks"));
            Assert.Equal(h.Now - p.LastReceived, r.Number("last_received_ms"));
        }

        [Fact]
        public void APeerOutageReadsHandshakingThenDownNotUp()
        {
            // Issue 18: during a 100 s outage "status" said "tunnel: up" while initiations climbed.
            var h = Busy();
            long received = h.Router.Tunnel.GetPeer(0).LastReceived;
            var states = new List<string>();
            for (int s = 1; s <= 120; s++) // the peer is gone: LAN traffic keeps wanting the tunnel
            {
                h.Now += 1000;
                h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, new byte[] { 1 }));
                h.Router.Poll(h.Now);
                h.Uplink.Sent.Clear();
                var r = Assert.Single(Run(h, "status -m"));
                states.Add(r["tunnel"]);
                Assert.Equal(h.Now - received, r.Number("last_received_ms"));
            }
            Assert.True(h.Router.Tunnel.Counters[TunnelCounter.InitiationsSent] > 3);
            Assert.Equal("up", states[0]);
            Assert.DoesNotContain("up", states.Skip(25)); // handshaking from the first unanswered retransmission (20 s) on
            Assert.Contains("handshaking", states);
            var human = new LinesOutput();
            RouterConsole.Execute(h.Router, "status", h.Now, human);
            Assert.Contains("tunnel: " + states[^1], human.All);
            Assert.Contains("last received: " + ((h.Now - received) / 1000) + " s ago", human.All);
            // The log holds the changes, and the RAs stopped offering a default route.
            var log = Run(h, "log -m");
            Assert.Contains(log, e => e["kind"] == "tunnel_state" && e["state"] == "handshaking");
            Assert.Equal(0, h.Router.Lan.Advertiser.RouterLifetime);
        }

        [Fact]
        public void TheLogListsHandshakesAndConfigWarningsAndTheRaLifetimeFollowsTheTunnel()
        {
            var h = new RouterHarness(boot: true, sizes: RouterSizes.Esp32NoPsram(), routerLines: "NatEntries = 4096\n");
            Assert.Equal(0, h.Router.Lan.Advertiser.RouterLifetime); // no tunnel yet: no default route
            h.ExchangeWithPeer();
            Assert.Equal(RouterAdvertiserLifetime, h.Router.Lan.Advertiser.RouterLifetime);
            var log = Run(h, "log -m");
            Assert.Equal(log.Count, log.Select(e => e.Number("seq")).Distinct().Count());
            var warning = Assert.Single(log, e => e["kind"] == "config_warning" && e["text"].StartsWith("NatEntries: 4096"));
            Assert.True(warning.Number("line") > 0);
            var hs = Assert.Single(log, e => e["kind"] == "handshake_complete");
            Assert.Equal("10.250.2.2:51820", hs["endpoint"]);
            Assert.Contains(log, e => e["kind"] == "tunnel_state" && e["state"] == "up");
            var human = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "log", h.Now, human));
            Assert.Contains(human.All, l => l.Contains("kind=handshake_complete endpoint=10.250.2.2:51820"));
            Assert.EndsWith("(ring of " + h.Router.Events.Capacity + ")", human.All[^1]);
        }

        const int RouterAdvertiserLifetime = Warp.Protocol.Lan.RouterAdvertiser.RouterLifetimeSeconds;

        [Fact]
        public void StatusBeforeAnyHandshakeSaysNever()
        {
            var h = new RouterHarness(clientId: 0x0A0B0C);
            h.Router.Start(h.Now);
            var r = Assert.Single(Run(h, "STATUS  -m "));
            Assert.Equal("handshaking", r["tunnel"]);
            Assert.Equal(-1, r.Number("handshake_age_ms"));
            Assert.Equal(0x0A0B0C, r.Number("client_id"));
        }

        [Fact]
        public void NatRecordsMatchTheTable()
        {
            var h = Busy();
            var records = Run(h, "nat -m");
            NatTable t = h.Router.Nat.Table;
            Assert.Equal(t.Count, records.Count);
            var r = Assert.Single(records);
            Assert.Equal("nat", r.Type);
            Assert.Equal(new[] { "slot", "proto", "family", "lan", "lan_port", "ext_port", "remote", "remote_port", "tcp_state", "dns", "remaining_ms" }, r.Keys);
            Assert.True(t.TryGetEntry((int)r.Number("slot"), h.Now, out NatEntryInfo e));
            Assert.Equal("udp", r["proto"]);
            Assert.Equal("4", r["family"]);
            Assert.Equal("192.168.42.100", r["lan"]);
            Assert.Equal(5555, r.Number("lan_port"));
            Assert.Equal(e.ExternalPort, r.Number("ext_port"));
            Assert.Equal("198.18.0.80", r["remote"]);
            Assert.Equal(7777, r.Number("remote_port"));
            Assert.Equal("-", r["tcp_state"]);
            Assert.Equal("0", r["dns"]);
            Assert.Equal(e.Remaining, r.Number("remaining_ms"));
            Assert.InRange(r.Number("remaining_ms"), 1, 300_000);
        }

        [Fact]
        public void LeaseRecordsMatchTheTable()
        {
            var h = Busy();
            var records = Run(h, "leases -m");
            Assert.Equal(h.Router.Lan.LeaseCount, records.Count);
            Assert.Equal(2, records.Count);
            Assert.All(records, r => Assert.Equal(new[] { "ip", "mac", "state", "remaining_ms" }, r.Keys));
            var bound = records.Single(r => r["ip"] == "192.168.42.100");
            Assert.Equal("02:c1:00:00:00:07", bound["mac"].ToLowerInvariant());
            Assert.Equal("bound", bound["state"]);
            Assert.Equal(3_600_000 - 1500, bound.Number("remaining_ms"));
            var offered = records.Single(r => r["ip"] == "192.168.42.101");
            Assert.Equal("offered", offered["state"]);
            Assert.Equal(60_000 - 1500, offered.Number("remaining_ms"));

            // Past its time the offer reads released, with nothing remaining.
            h.Now += 60_000;
            offered = Run(h, "leases -m").Single(r => r["ip"] == "192.168.42.101");
            Assert.Equal("released", offered["state"]);
            Assert.Equal(0, offered.Number("remaining_ms"));
        }

        sealed class HostCounters : CounterSet
        {
            public HostCounters() : base("host", new[] { "none", "drop.odd name", "events" }, 2) { }
            public void Bump(int i) { Add(i); }
        }

        [Fact]
        public void CounterRecordsListEverySetAndTheHostsAfterThem()
        {
            var h = Busy();
            var host = new HostCounters();
            host.Bump(1);
            host.Bump(2);
            host.Bump(2);
            var records = Run(h, "counters -m", new CounterSet[] { host });
            var expected = h.Router.CounterSets.Concat(new CounterSet[] { host })
                .SelectMany(c => Enumerable.Range(1, c.Length - 1).Select(i => (c.Module, Name: c.NameAt(i), Value: c.ValueAt(i), Drop: c.IsDropAt(i))))
                .ToList();
            Assert.Equal(expected.Count, records.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                var r = records[i];
                Assert.Equal("counter", r.Type);
                Assert.Equal(new[] { "module", "name", "value", "drop" }, r.Keys);
                Assert.Equal(expected[i].Module, r["module"]);
                Assert.Equal(expected[i].Name, r["name"]);
                Assert.Equal(expected[i].Value, r.Number("value"));
                Assert.Equal(expected[i].Drop ? "1" : "0", r["drop"]);
            }
            Assert.Contains(records, r => r["module"] == "router" && r["name"] == "packets_to_tunnel" && r["value"] == "1");
            Assert.Contains(records, r => r["module"] == "host" && r["name"] == "drop.odd name" && r["value"] == "1" && r["drop"] == "1");
            Assert.DoesNotContain(records, r => r["name"] == "none");
        }

        [Theory]
        [InlineData("config -m", "config", "no_machine_form")]
        [InlineData("help -m", "help", "no_machine_form")]
        [InlineData("reboot -m", "reboot", "unknown_command")]
        public void CommandsWithoutTheFormAnswerAnErrorRecord(string line, string command, string reason)
        {
            var h = new RouterHarness();
            var o = new LinesOutput();
            Assert.False(RouterConsole.Execute(h.Router, line, h.Now, o));
            var r = Assert.Single(Parse(o.All));
            Assert.Equal("error", r.Type);
            Assert.Equal(command, r["command"]);
            Assert.Equal(reason, r["reason"]);
        }

        [Fact]
        public void TheHumanFormIsUnchangedWithoutTheFlag()
        {
            var h = Busy();
            var o = new LinesOutput();
            RouterConsole.Execute(h.Router, "status", h.Now, o);
            Assert.Equal("tunnel: up", o.All[0]);
            Assert.DoesNotContain(o.All, l => l.StartsWith("end "));
            o = new LinesOutput();
            RouterConsole.Execute(h.Router, "leases", h.Now, o);
            Assert.Equal("192.168.42.100 02:c1:00:00:00:07 bound 3598s", o.All[0].ToLowerInvariant());
            Assert.Equal("2 lease(s)", o.All[2]);
        }
    }
}
