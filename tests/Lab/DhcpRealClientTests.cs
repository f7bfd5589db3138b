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
