using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using Warp.Router.Linux;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// `warp-router run` as the DHCP server of a switched LAN of real clients, each in its own
    /// network namespace (so each answers ARP for its own address only, as a separate device would):
    /// <code>
    ///   wdr-rt: warp-router on wdr-lan (raw socket; no uplink: the tunnel stays down, DHCP does not need it)
    ///   wdr-sw: bridge wdr-br, ports wdr-lanp and one per device
    ///   wdr-NAME: interface NAME with its own MAC; ISC dhclient, busybox udhcpc or dhcpcd on it
    /// </code>
    /// The clients run with scripts of ours that configure the address (dhclient, udhcpc; dhcpcd does
    /// it itself) and append every event with its options to NAME.env, so nothing outside the lab is
    /// touched (no resolv.conf, no hostname). Everything named wdr* is removed on Dispose, and stale
    /// leftovers first.
    /// </summary>
    public sealed class DhcpClientLab : IDisposable
    {
        public const string RouterNs = "wdr-rt";
        public const string SwitchNs = "wdr-sw";
        public const string RouterIp = "10.231.5.1";
        public const string Net = "10.231.5.";
        public readonly string Work;
        readonly TextWriter log;
        readonly List<string> devices = new List<string>();
        readonly List<Process> clients = new List<Process>();
        Process router;

        public string ControlSocket { get { return Path.Combine(Work, "c.sock"); } }
        public string LeaseFile { get { return Path.Combine(Work, "state", Warp.Firmware.StoredRecords.Leases); } }
        public string RouterLog { get { return Path.Combine(Work, "router.log"); } }

        public DhcpClientLab(TextWriter log, string leaseTime = "2m")
        {
            this.log = log;
            Cleanup();
            Work = Path.Combine(Path.GetTempPath(), "wdr-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Work);
            Shell.Run($"ip netns add {RouterNs} && ip netns add {SwitchNs}");
            Shell.Run($"ip netns exec {SwitchNs} sh -c 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1; ip link set lo up; ip link add wdr-br type bridge && ip link set wdr-br up'");
            Shell.Run($"ip link add wdr-lan type veth peer name wdr-lanp && ip link set wdr-lan netns {RouterNs} && ip link set wdr-lanp netns {SwitchNs}");
            Shell.Run($"ip netns exec {SwitchNs} sh -c 'ip link set wdr-lanp master wdr-br && ip link set wdr-lanp up'");
            Shell.Run($"ip netns exec {RouterNs} sh -c 'ip link set lo up && ip link set wdr-lan up'");

            var key = new byte[32];
            var peer = new byte[32];
            RandomNumberGenerator.Fill(key);
            RandomNumberGenerator.Fill(peer);
            peer[31] &= 0x7f;
            File.WriteAllText(Path.Combine(Work, "router.conf"),
                "[Interface]\nPrivateKey = " + Convert.ToBase64String(key) + "\nAddress = 172.16.0.2/32\n" +
                "[Peer]\nPublicKey = " + Convert.ToBase64String(peer) + "\nEndpoint = 192.0.2.1:2408\n" +
                "[Router]\nLanAddress = " + RouterIp + "/24\nDhcpPoolStart = " + Net + "100\nDhcpPoolEnd = " + Net + "150\n" +
                "DhcpLeaseTime = " + leaseTime + "\n");
            File.SetUnixFileMode(Path.Combine(Work, "router.conf"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            WriteScripts();
        }

        /// <summary>A device: namespace wdr-NAME with interface NAME (MAC <paramref name="mac"/>) on the switch.</summary>
        public void AddDevice(string name, string mac)
        {
            string ns = "wdr-" + name;
            Shell.Run($"ip netns add {ns}");
            devices.Add(name);
            Shell.Run($"ip link add {name} address {mac} type veth peer name {name}p && ip link set {name} netns {ns} && ip link set {name}p netns {SwitchNs}");
            Shell.Run($"ip netns exec {SwitchNs} sh -c 'ip link set {name}p master wdr-br && ip link set {name}p up'");
            Shell.Run($"ip netns exec {ns} sh -c 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1; ip link set lo up && ip link set {name} up'");
            File.Delete("/var/lib/dhcpcd/" + name + ".lease"); // dhcpcd's memory of an earlier lab's device of this name
        }

        /// <summary>Gives the device a new MAC (a NIC swapped, a randomised MAC): down, address, up, its IPv4 addresses gone.</summary>
        public void SetMac(string name, string mac)
        {
            Shell.Run($"ip netns exec wdr-{name} sh -c 'ip -4 addr flush dev {name}; ip link set {name} down && ip link set {name} address {mac} && ip link set {name} up'");
        }

        public static string Ns(string name) { return "wdr-" + name; }

        void WriteScripts()
        {
            // dhclient-script's interface: $reason, $interface, new_* variables.
            Script("dhclient.sh",
                "out=" + Work + "/$interface.env\n" +
                "{ echo \"== $reason\"; env | grep -E '^(new_|old_ip)' | sort; } >> $out\n" +
                "case $reason in\n" +
                "  BOUND|RENEW|REBIND|REBOOT) [ \"$old_ip_address\" = \"$new_ip_address\" ] || ip -4 addr flush dev $interface; ip addr replace $new_ip_address/$new_subnet_mask dev $interface ;;\n" +
                "  EXPIRE|FAIL|RELEASE|STOP) ip -4 addr flush dev $interface ;;\n" +
                "esac\nexit 0\n");
            // udhcpc's: $1 is the event, options in ip, subnet, router, dns, mtu, broadcast, lease, serverid.
            Script("udhcpc.sh",
                "out=" + Work + "/$interface.env\n" +
                "{ echo \"== $1\"; env | grep -E '^(ip|subnet|router|dns|mtu|broadcast|lease|serverid|opt[0-9]+)=' | sort; } >> $out\n" +
                "case $1 in\n" +
                "  bound|renew) ip addr replace $ip/$subnet dev $interface ;;\n" +
                "  deconfig) ip -4 addr flush dev $interface ;;\n" +
                "esac\nexit 0\n");
            // dhcpcd configures the address itself; its hook script only reports.
            Script("dhcpcd.sh",
                "out=" + Work + "/$interface.env\n" +
                "{ echo \"== $reason\"; env | grep -E '^new_' | sort; } >> $out\nexit 0\n");
        }

        void Script(string name, string body)
        {
            string path = Path.Combine(Work, name);
            File.WriteAllText(path, "#!/bin/sh\n" + body);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        /// <summary>ISC dhclient in the foreground on the device (its own lease file, our script), extra lines in its config.</summary>
        public Process Dhclient(string name, string conf = "", string leases = null)
        {
            File.WriteAllText(Path.Combine(Work, name + ".dhclient.conf"), conf);
            leases ??= Path.Combine(Work, name + ".dhclient.leases");
            return Client(name, $"dhclient -4 -d -v -cf {Work}/{name}.dhclient.conf -lf {leases} -pf {Work}/{name}.dhclient.pid -sf {Work}/dhclient.sh {name}");
        }

        /// <summary>busybox udhcpc in the foreground (Debian's busybox), with <paramref name="args"/> (e.g. -x 0x3d:..., -O mtu).</summary>
        public Process Udhcpc(string name, string args = "")
        {
            return Client(name, $"busybox udhcpc -f -i {name} -s {Work}/udhcpc.sh -t 10 -T 2 -A 2 {args}");
        }

        /// <summary>dhcpcd (Debian dhcpcd-base) in the foreground, IPv4 only, with <paramref name="conf"/> as its whole configuration.</summary>
        public Process Dhcpcd(string name, string conf = "")
        {
            File.WriteAllText(Path.Combine(Work, name + ".dhcpcd.conf"), conf);
            return Client(name, $"dhcpcd -B -4 -d -f {Work}/{name}.dhcpcd.conf -c {Work}/dhcpcd.sh {name}");
        }

        Process Client(string name, string command)
        {
            var p = Shell.Start($"ip netns exec {Ns(name)} sh -c 'exec {command} >> {Work}/{name}.log 2>&1'");
            clients.Add(p);
            return p;
        }

        /// <summary>Stops a client without a RELEASE (SIGKILL): a device switched off or gone.</summary>
        public void Kill(Process client)
        {
            if (client == null) return;
            try { if (!client.HasExited) client.Kill(true); } catch (InvalidOperationException) { }
            client.WaitForExit(5000);
            clients.Remove(client);
        }

        /// <summary>Waits (up to 40 s) for a client run once (udhcpc -q) to exit.</summary>
        public void Once(Process client)
        {
            client.WaitForExit(40000);
            Kill(client);
        }

        public string ClientLog(string name)
        {
            string path = Path.Combine(Work, name + ".log");
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }

        public string ClientEvents(string name)
        {
            string path = Path.Combine(Work, name + ".env");
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }

        /// <summary>The device's IPv4 address, or null.</summary>
        public string AddressOf(string name)
        {
            string s = Shell.Run($"ip netns exec {Ns(name)} ip -4 -o addr show dev {name}", 5000, false);
            int at = s.IndexOf("inet ", StringComparison.Ordinal);
            return at < 0 ? null : s.Substring(at + 5, s.IndexOf('/', at) - at - 5);
        }

        /// <summary>Waits until the device has an IPv4 address; returns it, or null after <paramref name="ms"/>.</summary>
        public string WaitAddress(string name, int ms = 30000)
        {
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < ms)
            {
                string a = AddressOf(name);
                if (a != null) return a;
                Thread.Sleep(200);
            }
            return null;
        }

        public void StartRouter()
        {
            string self = typeof(Warp.Router.Linux.Lab).Assembly.Location;
            string dotnet = Environment.ProcessPath != null && Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : "dotnet";
            if (File.Exists(ControlSocket))
                File.Delete(ControlSocket);
            router = Shell.Start($"ip netns exec {RouterNs} sh -c 'exec {dotnet} {self} run --config {Work}/router.conf --lan-interface wdr-lan --state {Work}/state --control {ControlSocket} --no-console >> {RouterLog} 2>&1'");
            for (int i = 0; i < 150 && !File.Exists(ControlSocket); i++)
            {
                if (router.HasExited)
                    throw new InvalidOperationException("warp-router exited: " + File.ReadAllText(RouterLog));
                Thread.Sleep(100);
            }
            if (!File.Exists(ControlSocket))
                throw new InvalidOperationException("warp-router did not start: " + (File.Exists(RouterLog) ? File.ReadAllText(RouterLog) : ""));
        }

        /// <summary>SIGTERM: a clean stop (leases saved).</summary>
        public void StopRouter() { Signal("TERM"); }

        void Signal(string signal)
        {
            Process p = router;
            router = null;
            if (p == null) return;
            if (!p.HasExited)
                Shell.Run("kill -" + signal + " " + p.Id, 5000, false);
            if (!p.WaitForExit(10000))
                log.WriteLine("warp-router did not stop on SIG" + signal + ": killing it");
            Shell.Stop(p);
        }

        public List<ConsoleRecordLine> Records(string command)
        {
            var w = new StringWriter();
            RouterHost.Query(ControlSocket, command + " -m", w, w);
            return ConsoleAnswer.TryParse(w.ToString());
        }

        /// <summary>A counter of the router's LAN services (module lan).</summary>
        public long LanCounter(string name)
        {
            var r = Records("counters");
            var c = r?.FirstOrDefault(x => x["module"] == "lan" && x["name"] == name);
            return c == null ? -1 : c.Number("value");
        }

        /// <summary>The router's leases: ip, mac, state, remaining_ms.</summary>
        public List<ConsoleRecordLine> Leases() { return Records("leases") ?? new List<ConsoleRecordLine>(); }

        public string MacOf(string name)
        {
            return Shell.Run($"ip netns exec {Ns(name)} cat /sys/class/net/{name}/address", 5000).Trim();
        }

        public static void Cleanup()
        {
            Shell.Run("for n in $(ip netns list | awk '{print $1}' | grep '^wdr-'); do ip netns pids $n | xargs -r kill -9; ip netns del $n; done; true", 20000, false);
        }

        public void Dispose()
        {
            foreach (var c in clients.ToArray())
                Kill(c);
            if (router != null)
                Signal("TERM");
            Cleanup();
            foreach (var d in devices)
                try { File.Delete("/var/lib/dhcpcd/" + d + ".lease"); } catch (IOException) { }
            try { Directory.Delete(Work, true); } catch (IOException) { }
        }
    }
}
