using Warp.Router.Linux;
using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
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
        readonly RawPacketSocket socket;
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
            Lan = new LanServices(config, 16, 16, 32, null, new SystemEntropy(), Now);
            socket = new RawPacketSocket(RouterDev);
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
                    int n = socket.Receive(rx);
                    lock (Lan)
                    {
                        // Our own frames come back on an ETH_P_ALL socket: skip them.
                        if (n >= 14 && !(rx[6] == RouterMac[0] && rx[7] == RouterMac[1] && rx[8] == RouterMac[2]
                            && rx[9] == RouterMac[3] && rx[10] == RouterMac[4] && rx[11] == RouterMac[5]))
                        {
                            var r = Lan.Handle(rx, 0, n, tx, 0, Now);
                            if (r.Action == LanAction.Reply)
                                socket.Send(tx, r.Length);
                        }
                        while (Lan.NextDeadline(Now) <= Now)
                        {
                            var t = Lan.Tick(Now, tx, 0);
                            if (t.Action != LanAction.Reply)
                                break;
                            socket.Send(tx, t.Length);
                        }
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
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

    /// <summary>A Linux AF_PACKET socket bound to one interface (libc P/Invoke), with a 100 ms receive timeout.</summary>
    public sealed class RawPacketSocket : IDisposable
    {
        const int AF_PACKET = 17, SOCK_RAW = 3, ETH_P_ALL = 0x0003, SOL_SOCKET = 1, SO_RCVTIMEO = 20;
        [DllImport("libc", SetLastError = true)] static extern int socket(int domain, int type, int protocol);
        [DllImport("libc", SetLastError = true)] static extern int bind(int fd, byte[] addr, int length);
        [DllImport("libc", SetLastError = true)] static extern int setsockopt(int fd, int level, int name, byte[] value, int length);
        [DllImport("libc", SetLastError = true)] static extern nint recv(int fd, byte[] buffer, nint length, int flags);
        [DllImport("libc", SetLastError = true)] static extern nint send(int fd, byte[] buffer, nint length, int flags);
        [DllImport("libc")] static extern int close(int fd);

        int fd;

        public RawPacketSocket(string device)
        {
            int ifindex = int.Parse(File.ReadAllText($"/sys/class/net/{device}/ifindex").Trim());
            fd = socket(AF_PACKET, SOCK_RAW, (ushort)((ETH_P_ALL << 8) | (ETH_P_ALL >> 8)));
            if (fd < 0)
                throw new InvalidOperationException("socket(AF_PACKET): errno " + Marshal.GetLastWin32Error());
            // struct sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8].
            var sll = new byte[20];
            BitConverter.GetBytes((ushort)AF_PACKET).CopyTo(sll, 0);
            sll[2] = 0; sll[3] = ETH_P_ALL;
            BitConverter.GetBytes(ifindex).CopyTo(sll, 4);
            if (bind(fd, sll, sll.Length) != 0)
                throw new InvalidOperationException("bind(AF_PACKET): errno " + Marshal.GetLastWin32Error());
            var timeout = new byte[16]; // struct timeval { long tv_sec; long tv_usec; } = 0 s, 100000 us
            BitConverter.GetBytes(100000L).CopyTo(timeout, 8);
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, timeout.Length);
        }

        /// <summary>Bytes of the next frame, or 0 after the timeout.</summary>
        public int Receive(byte[] buffer)
        {
            long n = recv(fd, buffer, buffer.Length, 0);
            return n < 0 ? 0 : (int)n;
        }

        public void Send(byte[] frame, int length)
        {
            if (send(fd, frame, length, 0) != length)
                throw new InvalidOperationException("send(AF_PACKET): errno " + Marshal.GetLastWin32Error());
        }

        public void Dispose()
        {
            if (fd >= 0) close(fd);
            fd = -1;
        }
    }
}
