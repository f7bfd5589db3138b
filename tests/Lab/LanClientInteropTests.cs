using Warp.Router.Linux;
using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Warp.Protocol.Lan;
using Xunit;

namespace Warp.Lab.Tests
{
    /// <summary>Our LAN services against real clients: ISC dhclient, ping, ping -6 and the kernel's SLAAC.</summary>
    [Collection("lab")]
    public class LanClientInteropTests
    {
        // dhclient runs with its own configuration, lease file and a minimal script that records
        // what it was given and applies the address, MTU and default route inside the namespace
        // (nothing on the host is touched: no /etc/resolv.conf, no /var/lib/dhcp).
        // dhclient gives its script a fresh environment, so the directory is written into the script.
        const string Script = "#!/bin/sh\n[ -d \"@DIR@\" ] || exit 0\nenv > \"@DIR@/$reason\"\ncase \"$reason\" in BOUND|RENEW|REBIND|REBOOT)\n"
            + "  ip addr add \"$new_ip_address/$new_subnet_mask\" dev \"$interface\"\n"
            + "  [ -n \"$new_interface_mtu\" ] && ip link set \"$interface\" mtu \"$new_interface_mtu\"\n"
            + "  ip route replace default via \"$new_routers\" dev \"$interface\";;\nesac\nexit 0\n";
        const string Conf = "request subnet-mask, broadcast-address, routers, domain-name-servers, interface-mtu;\ntimeout 30;\n";

        static Dictionary<string, string> ReadEnv(string path)
        {
            var d = new Dictionary<string, string>();
            foreach (var line in File.ReadAllLines(path))
            {
                int eq = line.IndexOf('=');
                if (eq > 0) d[line.Substring(0, eq)] = line.Substring(eq + 1).Trim('\'');
            }
            return d;
        }

        static string Counters(LanLab lab)
        {
            var parts = new List<string>();
            lock (lab.Lan)
                for (int i = 1; i < lab.Lan.Counters.Length; i++)
                    if (lab.Lan.Counters.ValueAt(i) != 0) parts.Add(lab.Lan.Counters.NameAt(i) + "=" + lab.Lan.Counters.ValueAt(i));
            return string.Join(" ", parts);
        }

        [SkippableFact]
        public void DhclientGetsALeaseThenPingAndPing6TheRouter()
        {
            LabRequirements.RequireLab("dhclient", "ip", "ping", "sysctl");
            using var lab = new LanLab();
            System.Diagnostics.Process dhclient = null;
            try
            {
                string dir = lab.TempDir;
                File.WriteAllText(Path.Combine(dir, "script"), Script.Replace("@DIR@", dir));
                File.WriteAllText(Path.Combine(dir, "dhclient.conf"), Conf);
                Shell.Run($"chmod +x {dir}/script");
                dhclient = Shell.Start($"ip netns exec {LanLab.Ns} dhclient -d -v -1 -cf {dir}/dhclient.conf "
                    + $"-sf {dir}/script -lf {dir}/leases -pf {dir}/pid {LanLab.ClientDev}");
                string bound = Path.Combine(dir, "BOUND");
                for (int i = 0; i < 300 && !File.Exists(bound); i++)
                {
                    lab.CheckPump();
                    Thread.Sleep(100);
                }
                lab.CheckPump();
                Assert.True(File.Exists(bound), "dhclient bound a lease within 30 s; " + Counters(lab) + "; files: " + string.Join(",", Directory.GetFiles(dir)));
                Thread.Sleep(300); // the script finishes applying it
                var env = ReadEnv(bound);
                Assert.Equal("10.213.77.100", env["new_ip_address"]);
                Assert.Equal("255.255.255.0", env["new_subnet_mask"]);
                Assert.Equal(LanLab.RouterIp, env["new_routers"]);
                Assert.Equal(LanLab.RouterIp, env["new_domain_name_servers"]);
                Assert.Equal(LanLab.RouterIp, env["new_dhcp_server_identifier"]);
                Assert.Equal("1280", env["new_interface_mtu"]);
                Assert.Equal("43200", env["new_dhcp_lease_time"]);
                Assert.Equal("10.213.77.255", env["new_broadcast_address"]);
                lock (lab.Lan)
                {
                    Assert.StartsWith("10.213.77.100 ", lab.Lan.FormatLease(0, lab.Now));
                    Assert.Contains(" bound ", lab.Lan.FormatLease(0, lab.Now));
                    Assert.True(lab.Lan.Counters[LanCounter.DhcpAcks] >= 1);
                }
                Assert.Contains("10.213.77.100/24", Shell.Run($"ip netns exec {LanLab.Ns} ip -4 addr show dev {LanLab.ClientDev}"));

                // ICMP echo to the router's IPv4 address (the client ARPs for it first).
                Shell.Run($"ip netns exec {LanLab.Ns} ping -c 2 -W 2 {LanLab.RouterIp}");

                // SLAAC from our RAs: wait for a ULA address that has finished DAD.
                string addrs = "";
                for (int i = 0; i < 150; i++)
                {
                    addrs = Shell.Run($"ip netns exec {LanLab.Ns} ip -6 addr show dev {LanLab.ClientDev}");
                    if (addrs.Contains("inet6 fd57:7a0c:1f00:4:") && !addrs.Contains("tentative"))
                        break;
                    lab.CheckPump();
                    Thread.Sleep(100);
                }
                Assert.Contains("inet6 fd57:7a0c:1f00:4:", addrs);
                Assert.DoesNotContain("tentative", addrs);
                Shell.Run($"ip netns exec {LanLab.Ns} ping -6 -c 2 -W 2 {LanLab.RouterUla}");
                Shell.Run($"ip netns exec {LanLab.Ns} ping -6 -c 2 -W 2 fe80::57:4cff:fe41:4e01%{LanLab.ClientDev}");
                // The kernel took our RA: a default route via the router's link-local address.
                Assert.Contains("default via fe80::57:4cff:fe41:4e01", Shell.Run($"ip netns exec {LanLab.Ns} ip -6 route show"));
                // The tunnel goes down: the next RA (brought forward, at most 3 s) says lifetime 0 and the kernel drops the route.
                lock (lab.Lan)
                    Assert.True(lab.Lan.SetTunnelUp(false, lab.Now));
                string routes = "";
                for (int i = 0; i < 100; i++)
                {
                    routes = Shell.Run($"ip netns exec {LanLab.Ns} ip -6 route show");
                    if (!routes.Contains("default via fe80::57:4cff:fe41:4e01"))
                        break;
                    lab.CheckPump();
                    Thread.Sleep(100);
                }
                Assert.DoesNotContain("default via fe80::57:4cff:fe41:4e01", routes);
                lab.CheckPump();
                lock (lab.Lan)
                {
                    var c = lab.Lan.Counters;
                    Assert.True(c[LanCounter.EchoRepliesV4] >= 2);
                    Assert.True(c[LanCounter.EchoRepliesV6] >= 4);
                    Assert.True(c[LanCounter.RouterAdvertisementsSent] >= 1);
                    Assert.True(c[LanCounter.ArpRepliesSent] >= 1);
                    Assert.True(c[LanCounter.NeighborAdvertisementsSent] >= 1);
                    Assert.True(lab.Lan.Ipv6NeighborCount >= 1);
                    Assert.Equal(0, c[LanCounter.DropBadUdpChecksum] + c[LanCounter.DropBadIcmpChecksum] + c[LanCounter.DropBadIpv4Checksum]);
                }
            }
            finally
            {
                Shell.Stop(dhclient);
            }
        }
    }
}
