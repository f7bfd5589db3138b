using Warp.Router.Linux;
using System;
using System.Diagnostics;
using System.IO;
using Warp.Hal.Linux;
using System.Threading;
using Warp.Protocol.Lan;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// Our LanServices as a real LAN's router, for real clients in a network namespace:
    ///   root namespace  wlan-r0 (no address, IPv6 off; an AF_PACKET socket: LanServices)
    ///        ──veth──   wlan-c0 in namespace wlan-cli (dhclient, ping, the kernel's SLAAC)
    /// A pump thread reads raw Ethernet frames from wlan-r0, hands them to LanServices.Handle,
    /// sends the replies and runs Tick at NextDeadline. Everything named wlan-* is removed on
    /// Dispose, and stale leftovers are removed first.
    /// </summary>
    public sealed class LanLab : IDisposable
    {
        public const string Ns = "wlan-cli";
        public const string RouterDev = "wlan-r0";
        public const string ClientDev = "wlan-c0";
        public const string RouterIp = "10.213.77.1";
        public const string RouterUla = "fd57:7a0c:1f00:4::1";
        public static readonly byte[] RouterMac = { 0x02, 0x57, 0x4c, 0x41, 0x4e, 0x01 };
        public readonly LanServices Lan;
        public readonly string TempDir;
        readonly PacketSocketLanPort socket;
        readonly Thread pump;
        readonly Stopwatch clock = Stopwatch.StartNew();
        volatile bool stopping;
        Exception failure;

        public LanLab()
        {
            Cleanup();
            TempDir = Path.Combine(Path.GetTempPath(), "wlan-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(TempDir);
            Shell.Run($"ip netns add {Ns}");
            Shell.Run($"ip link add {RouterDev} type veth peer name {ClientDev} netns {Ns}");
            Shell.Run($"sysctl -qw net.ipv6.conf.{RouterDev}.disable_ipv6=1 && ip link set {RouterDev} address 02:57:4c:41:4e:01 && ip link set {RouterDev} up");
            Shell.Run($"ip netns exec {Ns} sh -c 'ip link set lo up && ip link set {ClientDev} up'");

            var config = new LanConfig(RouterMac, Packets.V4(RouterIp), 24, Packets.V4("10.213.77.100"), Packets.V4("10.213.77.150"));
            config.SetUlaPrefix(new byte[] { 0xfd, 0x57, 0x7a, 0x0c, 0x1f, 0x00, 0x00, 0x04 }, 0);
            Lan = new LanServices(config, 16, 16, 32, null, new Warp.Hal.Linux.SystemRandomSource(), Now);
            Lan.SetTunnelUp(true, Now); // a router whose tunnel is up: its RAs offer the default route
            socket = new PacketSocketLanPort(RouterDev, RouterMac);
            pump = new Thread(Pump) { IsBackground = true, Name = "wlan-pump" };
            pump.Start();
        }

        public long Now { get { return clock.ElapsedMilliseconds; } }

        void Pump()
        {
            var rx = new byte[2048];
            var tx = new byte[2048];
            try
            {
                while (!stopping)
                {
                    WaitReadable(100);
                    int n = socket.Receive(rx, 0, rx.Length);
                    lock (Lan)
                    {
                        // Our own frames come back on an ETH_P_ALL socket: skip them.
                        if (n >= 14 && !(rx[6] == RouterMac[0] && rx[7] == RouterMac[1] && rx[8] == RouterMac[2]
                            && rx[9] == RouterMac[3] && rx[10] == RouterMac[4] && rx[11] == RouterMac[5]))
                        {
                            var r = Lan.Handle(rx, 0, n, tx, 0, Now);
                            if (r.Action == LanAction.Reply)
                                socket.Send(tx, 0, r.Length);
                        }
                        while (Lan.NextDeadline(Now) <= Now)
                        {
                            var t = Lan.Tick(Now, tx, 0);
                            if (t.Action != LanAction.Reply)
                                break;
                            socket.Send(tx, 0, t.Length);
                        }
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }

        unsafe void WaitReadable(int timeoutMs)
        {
            var fd = new Libc.PollFd { Fd = socket.Fd, Events = Libc.POLLIN };
            Libc.poll(&fd, 1, timeoutMs);
        }

        /// <summary>Throws what the pump thread failed with, if anything.</summary>
        public void CheckPump()
        {
            if (failure != null)
                throw new InvalidOperationException("LAN pump failed", failure);
        }

        public static void Cleanup()
        {
            Shell.Run($"ip netns del {Ns} 2>/dev/null; ip link del {RouterDev} 2>/dev/null; true", 10000, false);
        }

        public void Dispose()
        {
            stopping = true;
            pump.Join(3000);
            socket.Dispose();
            Cleanup();
            try { Directory.Delete(TempDir, true); } catch { }
        }
    }
}
