using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// Issue 18's DHCP defects against real clients (ISC dhclient, busybox udhcpc, dhcpcd), each a
    /// device of its own on a switched LAN with `warp-router run` as the server (<see cref="DhcpClientLab"/>):
    /// a damaged lease file under live clients, the client identifier (option 61) across MACs and
    /// restarts, and each client's full option set.
    /// </summary>
    [Collection("lab")]
    public class DhcpRealClientTests
    {
        readonly ITestOutputHelper output;
        public DhcpRealClientTests(ITestOutputHelper output) { this.output = output; }

        static readonly string[] Tools = { "ip", "dhclient", "busybox", "dhcpcd", "iptables" };
        const int StoreHeader = 16, RecordBytes = 53;

        static string Mac(int i) { return "02:57:44:00:00:" + i.ToString("x2"); }

        /// <summary>
        /// Live clients of all three kinds hold leases; the router is stopped, its lease file damaged,
        /// restarted; a new device joins; every live client then renews its own address, never NAKed,
        /// and the new device never gets an address a live client holds. Two rounds:
        /// <list type="number">
        ///   <item>random bytes over the header and a truncation in the middle of the last record (a
        ///   departed device's): the live clients' records survive, and they keep the new device off;</item>
        ///   <item>random bytes over every live client's record: the records are lost, and only the
        ///   ARP probe before the OFFER keeps the new device off their addresses (the router's
        ///   probes are answered by the live clients, counted as conflicts), after which the live
        ///   clients' renewals must still be ACKed.</item>
        /// </list>
        /// </summary>
        [SkippableFact]
        public void ALeaseFileDamagedUnderLiveClientsGivesNoAddressAwayAndNaksNoRenewal()
        {
            LabRequirements.RequireLab(Tools);
            using var lab = new DhcpClientLab(new TestOutputWriter(output));
            try
            {
                string[] live = { "wdrd", "wdru", "wdrp" };
                lab.AddDevice("wdrd", Mac(1));
                lab.AddDevice("wdru", Mac(2));
                lab.AddDevice("wdrp", Mac(3));
                lab.AddDevice("wdrx", Mac(4));
                lab.AddDevice("wdrn", Mac(5));
                lab.AddDevice("wdrm", Mac(6));
                lab.StartRouter();
                // One after the other, so the records lie in this order: dhclient, udhcpc, dhcpcd, the departed device.
                lab.Dhclient("wdrd");
                var addr = new Dictionary<string, string>();
                addr["wdrd"] = Assert.IsType<string>(lab.WaitAddress("wdrd"));
                lab.Udhcpc("wdru");
                addr["wdru"] = Assert.IsType<string>(lab.WaitAddress("wdru"));
                lab.Dhcpcd("wdrp", "duid\nnoipv4ll\n");
                addr["wdrp"] = Assert.IsType<string>(lab.WaitAddress("wdrp", 40000));
                lab.Once(lab.Udhcpc("wdrx", "-q -n"));
                string departed = Assert.IsType<string>(lab.WaitAddress("wdrx"));
                Shell.Run($"ip netns exec {DhcpClientLab.Ns("wdrx")} ip link set wdrx down"); // gone: answers nothing
                output.WriteLine("leases: " + string.Join(", ", addr.Select(p => p.Key + "=" + p.Value)) + ", departed wdrx=" + departed);
                Assert.Equal(4, addr.Values.Append(departed).Distinct().Count());

                // Round 1: header and the departed device's record damaged (random bytes, a cut).
                lab.StopRouter();
                byte[] file = File.ReadAllBytes(lab.LeaseFile);
                Assert.Equal(StoreHeader + 4 * RecordBytes, file.Length);
                for (int i = 0; i < 3; i++)
                    Assert.Equal(Mac(i + 1), RecordMac(file, i));
                RandomNumberGenerator.Fill(file.AsSpan(0, StoreHeader));
                File.WriteAllBytes(lab.LeaseFile, file.AsSpan(0, StoreHeader + 3 * RecordBytes + 30).ToArray());
                var before = RestartAndReadLeases(lab);
                foreach (var d in live)
                    Assert.True(before.ContainsKey(lab.MacOf(d)), d + "'s record was lost in round 1");
                Assert.Contains("lease_store_damaged", File.ReadAllText(lab.RouterLog));
                string n1 = NewDevice(lab, "wdrn", addr.Values);
                WaitForRenewals(lab, live, addr, before);
                addr["wdrn"] = n1;

                // Round 2: every live client's record overwritten with random bytes; the new device's kept.
                lab.StopRouter();
                file = File.ReadAllBytes(lab.LeaseFile);
                int kept = -1;
                for (int i = 0; StoreHeader + (i + 1) * RecordBytes <= file.Length; i++)
                {
                    if (RecordMac(file, i) == Mac(5))
                        kept = i;
                    else
                        RandomNumberGenerator.Fill(file.AsSpan(StoreHeader + i * RecordBytes, RecordBytes));
                }
                Assert.True(kept >= 0, "the first new device's record is missing");
                File.WriteAllBytes(lab.LeaseFile, file);
                before = RestartAndReadLeases(lab);
                foreach (var d in live)
                    Assert.False(before.ContainsKey(lab.MacOf(d)), d + "'s record survived round 2's damage: the test proves nothing");
                string n2 = NewDevice(lab, "wdrm", addr.Values);
                long conflicts = lab.LanCounter("dhcp_probe_conflicts");
                output.WriteLine("round 2: probe conflicts " + conflicts);
                Assert.True(conflicts >= 1, "no probe was answered: the new device's address was never a live client's");
                WaitForRenewals(lab, live, addr, before);
                Assert.NotEqual(n2, n1);
            }
            catch
            {
                Dump(lab);
                throw;
            }
        }

        /// <summary>
        /// Option 61 (RFC 2131 4.2): the same client identifier from another MAC is the same client.
        /// Each real client gets a lease on one MAC, is killed (no RELEASE), comes back on a new MAC
        /// with no memory of its lease (fresh lease file: it asks for nothing), and must get the same
        /// address; after a router restart a third MAC with the same id gets it again. dhclient sends
        /// its id from its config, udhcpc from -x 0x3d:..., dhcpcd its DUID with a fixed IAID (its
        /// default IAID comes from the MAC, so another MAC would be another client).
        /// </summary>
        [SkippableFact]
        public void TheSameClientIdFromAnotherMacGetsTheSameLeaseAlsoAfterARestart()
        {
            LabRequirements.RequireLab(Tools);
            using var lab = new DhcpClientLab(new TestOutputWriter(output));
            try
            {
                string[] names = { "wdri1", "wdri2", "wdri3" };
                for (int i = 0; i < 3; i++)
                    lab.AddDevice(names[i], Mac(0x10 + i));
                lab.StartRouter();
                var first = new Dictionary<string, string>();
                for (int round = 0; round < 3; round++)
                {
                    if (round == 2)
                    {
                        lab.StopRouter();
                        lab.StartRouter();
                    }
                    for (int i = 0; i < 3; i++)
                    {
                        string name = names[i];
                        string mac = Mac(0x10 * (round + 1) + i); // 0x1N (as added), 0x2N, 0x3N
                        if (round > 0)
                            lab.SetMac(name, mac);
                        var client = StartWithClientId(lab, name, round);
                        string a = lab.WaitAddress(name, 40000);
                        output.WriteLine($"round {round}: {name} on {mac}: {a}");
                        Assert.NotNull(a);
                        if (round == 0)
                            first[name] = a;
                        else
                            Assert.Equal(first[name], a);
                        var lease = lab.Leases().Single(l => l["ip"] == a);
                        Assert.Equal(mac, lease["mac"]);
                        Assert.Equal("bound", lease["state"]);
                        lab.Kill(client); // gone without a RELEASE
                        Shell.Run($"ip netns exec {DhcpClientLab.Ns(name)} ip -4 addr flush dev {name}");
                    }
                }
                Assert.Equal(3, first.Values.Distinct().Count());
                Assert.Equal(3, lab.Leases().Count);
                Assert.Equal(0, lab.LanCounter("dhcp_naks"));
            }
            catch
            {
                Dump(lab);
                throw;
            }
        }

        static Process StartWithClientId(DhcpClientLab lab, string name, int round)
        {
            switch (name)
            {
                case "wdri1":
                    return lab.Dhclient(name, "send dhcp-client-identifier 00:77:61:72:70:2d:31;\n", Path.Combine(lab.Work, name + ".round" + round + ".leases"));
                case "wdri2":
                    return lab.Udhcpc(name, "-x 0x3d:00776172702d32");
                default:
                    foreach (var f in Directory.GetFiles("/var/lib/dhcpcd", name + "*.lease"))
                        File.Delete(f); // no memory of the lease: it must not ask for its old address
                    return lab.Dhcpcd(name, "duid\nnoipv4ll\ninterface " + name + "\niaid 1\n");
            }
        }

        /// <summary>
        /// Each real client asks for many options (dhclient 32 by name, udhcpc every code 1 to 80,
        /// dhcpcd 16) and gets the server's whole set, which always fits the options field (at most
        /// 56 bytes: no overload, option 52, is ever needed), and binds: subnet mask, router, DNS (the
        /// router), interface MTU 1280, broadcast address, lease time, T1 and T2, server id.
        /// </summary>
        [SkippableFact]
        public void EveryRealClientAskingForManyOptionsGetsTheWholeSetAndBinds()
        {
            LabRequirements.RequireLab(Tools);
            using var lab = new DhcpClientLab(new TestOutputWriter(output));
            try
            {
                lab.AddDevice("wdro1", Mac(0x51));
                lab.AddDevice("wdro2", Mac(0x52));
                lab.AddDevice("wdro3", Mac(0x53));
                lab.StartRouter();
                lab.Dhclient("wdro1", "request subnet-mask, broadcast-address, time-offset, routers, domain-name, domain-name-servers, domain-search, "
                    + "host-name, interface-mtu, ntp-servers, netbios-name-servers, netbios-scope, nis-domain, nis-servers, static-routes, "
                    + "time-servers, log-servers, lpr-servers, root-path, ip-forwarding, default-ip-ttl, tcp-keepalive-interval, "
                    + "vendor-encapsulated-options, tftp-server-name, bootfile-name, nds-servers, smtp-server, pop-server, www-server, "
                    + "dhcp-lease-time, dhcp-renewal-time, dhcp-rebinding-time;\n");
                lab.Udhcpc("wdro2", string.Join(" ", Enumerable.Range(1, 80).Select(c => "-O " + c)));
                lab.Dhcpcd("wdro3", "duid\nnoipv4ll\noption subnet_mask, routers, domain_name_servers, interface_mtu, broadcast_address, "
                    + "domain_name, domain_search, host_name, ntp_servers, static_routes, classless_static_routes, time_offset, "
                    + "nis_domain, nis_servers, root_path, tftp_server_name\n");
                foreach (var d in new[] { "wdro1", "wdro2", "wdro3" })
                    Assert.True(lab.WaitAddress(d, 40000) != null, d + " did not bind");
                Thread.Sleep(500); // the scripts' last lines
                string r = DhcpClientLab.RouterIp;
                foreach (var d in new[] { "wdro1", "wdro3" })
                {
                    var env = LastBinding(lab.ClientEvents(d));
                    output.WriteLine(d + ": " + string.Join(" ", env.Select(kv => kv.Key + "=" + kv.Value)));
                    Assert.Equal("255.255.255.0", env["new_subnet_mask"]);
                    Assert.Equal(r, env["new_routers"]);
                    Assert.Equal(r, env["new_domain_name_servers"]);
                    Assert.Equal("1280", env["new_interface_mtu"]);
                    Assert.Equal(DhcpClientLab.Net + "255", env["new_broadcast_address"]);
                    Assert.Equal("120", env["new_dhcp_lease_time"]);
                    Assert.Equal("60", env["new_dhcp_renewal_time"]);
                    Assert.Equal("105", env["new_dhcp_rebinding_time"]);
                    Assert.Equal(r, env["new_dhcp_server_identifier"]);
                    Assert.Equal(lab.AddressOf(d), env["new_ip_address"]);
                }
                var u = LastBinding(lab.ClientEvents("wdro2"));
                output.WriteLine("wdro2: " + string.Join(" ", u.Select(kv => kv.Key + "=" + kv.Value)));
                Assert.Equal("255.255.255.0", u["subnet"]);
                Assert.Equal(r, u["router"]);
                Assert.Equal(r, u["dns"]);
                Assert.Equal("1280", u["mtu"]);
                Assert.Equal(DhcpClientLab.Net + "255", u["broadcast"]);
                Assert.Equal("120", u["lease"]);
                Assert.Equal("0000003c", u["opt58"]);
                Assert.Equal("00000069", u["opt59"]);
                Assert.Equal(r, u["serverid"]);
                Assert.Equal(lab.AddressOf("wdro2"), u["ip"]);
            }
            catch
            {
                Dump(lab);
                throw;
            }
        }

        /// <summary>
        /// What each real client makes of option overload (52) from a server: a scapy server in the
        /// router's place answers with 53, 54, 51 and 52 in the options field and the mask, router,
        /// DNS and MTU in 'file' (52 = 1), in 'sname' (2), or split over both (3). Each client must
        /// bind and read all four from there. (Our own server never needs to overload, see
        /// EveryRealClientAskingForManyOptionsGetsTheWholeSetAndBinds; this is what it could rely on.)
        /// </summary>
        [SkippableFact]
        public void EveryRealClientReadsOptionsFromFileAndSnameWhenOverloaded()
        {
            LabRequirements.RequireLab("ip", "dhclient", "busybox", "dhcpcd", "tcpdump");
            Skip.IfNot(File.Exists("/usr/bin/python3") && Shell.Run("/usr/bin/python3 -c 'import scapy' 2>&1; echo $?", 30000, false).Trim().EndsWith("0"), "Debian's python3-scapy");
            using var lab = new DhcpClientLab(new TestOutputWriter(output));
            string script = Path.Combine(AppContext.BaseDirectory, "overload_server.py");
            var results = new List<string>();
            try
            {
                lab.AddDevice("wdrv1", Mac(0x61));
                lab.AddDevice("wdrv2", Mac(0x62));
                lab.AddDevice("wdrv3", Mac(0x63));
                foreach (int mode in new[] { 1, 2, 3 })
                {
                    string serverLog = Path.Combine(lab.Work, "overload" + mode + ".log");
                    var server = Shell.Start($"ip netns exec {DhcpClientLab.RouterNs} sh -c 'exec /usr/bin/python3 {script} wdr-lan {mode} > {serverLog} 2>&1'");
                    try
                    {
                        for (int i = 0; i < 100 && !(File.Exists(serverLog) && File.ReadAllText(serverLog).Contains("ready")); i++)
                            Thread.Sleep(100);
                        Thread.Sleep(500);
                        foreach (var name in new[] { "wdrv1", "wdrv2", "wdrv3" })
                        {
                            File.Delete(Path.Combine(lab.Work, name + ".env"));
                            Shell.Run($"ip netns exec {DhcpClientLab.Ns(name)} ip -4 addr flush dev {name}");
                            Process client = name == "wdrv1" ? lab.Dhclient(name, "request subnet-mask, routers, domain-name-servers, interface-mtu;\n", Path.Combine(lab.Work, name + mode + ".leases"))
                                : name == "wdrv2" ? lab.Udhcpc(name, "-O mtu")
                                : lab.Dhcpcd(name, "noipv4ll\noption interface_mtu\n");
                            string a = lab.WaitAddress(name, 20000);
                            Thread.Sleep(500);
                            lab.Kill(client);
                            foreach (var f in Directory.GetFiles("/var/lib/dhcpcd", name + "*.lease"))
                                File.Delete(f);
                            var env = a == null ? new Dictionary<string, string>() : LastBinding(lab.ClientEvents(name));
                            string V(string k1, string k2) { return env.TryGetValue(k1, out var v) || env.TryGetValue(k2, out v) ? v : "-"; }
                            string kind = name == "wdrv1" ? "dhclient" : name == "wdrv2" ? "udhcpc" : "dhcpcd";
                            string line = $"52={mode} {kind}: address {a ?? "none"} mask {V("new_subnet_mask", "subnet")} router {V("new_routers", "router")} dns {V("new_domain_name_servers", "dns")} mtu {V("new_interface_mtu", "mtu")}";
                            output.WriteLine(line);
                            results.Add(line);
                        }
                    }
                    finally
                    {
                        Shell.Stop(server);
                    }
                }
                foreach (var line in results)
                {
                    Assert.DoesNotContain("address none", line);
                    Assert.Contains("mask 255.255.255.0 router 10.231.5.1 dns 10.231.5.1 mtu 1280", line);
                }
            }
            catch
            {
                Dump(lab);
                throw;
            }
        }

        /// <summary>The variables of the last BOUND (or bound) event a client's script wrote.</summary>
        static Dictionary<string, string> LastBinding(string events)
        {
            int at = Math.Max(events.LastIndexOf("== BOUND", StringComparison.Ordinal), events.LastIndexOf("== bound", StringComparison.Ordinal));
            Assert.True(at >= 0, "no binding in: " + events);
            var d = new Dictionary<string, string>();
            foreach (var line in events.Substring(at).Split('\n').Skip(1))
            {
                if (line.StartsWith("==")) break;
                int eq = line.IndexOf('=');
                if (eq > 0) d[line.Substring(0, eq)] = line.Substring(eq + 1).Trim('\'');
            }
            return d;
        }

        static string RecordMac(byte[] file, int record)
        {
            int at = StoreHeader + record * RecordBytes + 4;
            return string.Join(":", file.Skip(at).Take(6).Select(b => b.ToString("x2")));
        }

        /// <summary>Starts the router on the damaged file; returns its leases by MAC (remaining ms; bound only).</summary>
        Dictionary<string, long> RestartAndReadLeases(DhcpClientLab lab)
        {
            lab.StartRouter();
            var leases = lab.Leases();
            output.WriteLine("after restart: " + string.Join("; ", leases.Select(l => l.ToString())));
            return leases.Where(l => l["state"] == "bound").ToDictionary(l => l["mac"], l => l.Number("remaining_ms"));
        }

        /// <summary>A new device (udhcpc, once) joins; its address must be none of <paramref name="taken"/>.</summary>
        string NewDevice(DhcpClientLab lab, string name, IEnumerable<string> taken)
        {
            lab.Once(lab.Udhcpc(name, "-q -n"));
            string a = lab.AddressOf(name);
            output.WriteLine("new device " + name + ": " + a);
            Assert.NotNull(a);
            Assert.StartsWith(DhcpClientLab.Net, a);
            Assert.DoesNotContain(a, taken);
            return a;
        }

        /// <summary>
        /// Waits (up to 130 s: T1 is 60 s, and a renewal lost while the router was down is retried)
        /// until every live client has renewed at the router: its MAC bound to its own address with
        /// more time left than at the restart. Then: the addresses are unchanged and no NAK was sent.
        /// </summary>
        void WaitForRenewals(DhcpClientLab lab, string[] live, Dictionary<string, string> addr, Dictionary<string, long> before)
        {
            var macs = live.ToDictionary(d => d, d => lab.MacOf(d));
            var pending = new HashSet<string>(live);
            var sw = Stopwatch.StartNew();
            while (pending.Count > 0 && sw.ElapsedMilliseconds < 130000)
            {
                Thread.Sleep(1000);
                foreach (var l in lab.Leases())
                    foreach (var d in pending.ToArray())
                        if (l["mac"] == macs[d] && l["state"] == "bound" && l["ip"] == addr[d]
                            && (!before.TryGetValue(macs[d], out long left) || l.Number("remaining_ms") > left + 3000))
                        {
                            output.WriteLine(d + " renewed " + addr[d] + " after " + sw.ElapsedMilliseconds / 1000 + " s");
                            pending.Remove(d);
                        }
                Assert.Equal(0, lab.LanCounter("dhcp_naks"));
            }
            Assert.True(pending.Count == 0, "no renewal from " + string.Join(", ", pending));
            foreach (var d in live)
            {
                Assert.Equal(addr[d], lab.AddressOf(d));
                Assert.DoesNotContain("NAK", lab.ClientLog(d) + lab.ClientEvents(d), StringComparison.OrdinalIgnoreCase);
            }
        }

        void Dump(DhcpClientLab lab)
        {
            try
            {
                output.WriteLine("--- router log\n" + File.ReadAllText(lab.RouterLog));
                foreach (var f in Directory.GetFiles(lab.Work, "*.log").Concat(Directory.GetFiles(lab.Work, "*.env")))
                    output.WriteLine("--- " + Path.GetFileName(f) + "\n" + File.ReadAllText(f));
            }
            catch (IOException) { }
        }
    }
}
