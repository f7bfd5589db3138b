using System;
using System.IO;
using System.Runtime.InteropServices;
using Warp.Hal;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The LAN on an existing Linux interface through an AF_PACKET raw socket (packet(7)): every
    /// frame the interface receives comes to the router, which answers ARP/DHCP/ND itself and sends
    /// whole frames. The interface is put in promiscuous mode (the router owns its own MAC, not
    /// the interface's), and frames this socket sent are not read back (PACKET_IGNORE_OUTGOING).
    /// Note for veth/loopback peers: a sender with checksum offload leaves partial checksums; turn
    /// it off there (ethtool -K dev tx off), as the lab does.
    /// </summary>
    public sealed unsafe partial class PacketSocketLanPort : ILanPort, ILanBatch, IDisposable
    {
        readonly int fd;
        readonly byte[] mac = new byte[6];
        readonly byte[][] single = new byte[1][];
        readonly int[] singleLength = new int[1];
        public string Interface { get; }

        /// <param name="interfaceName">An existing interface, e.g. a veth or a NIC given to the router.</param>
        /// <param name="routerMac">The router's MAC on the LAN; null to use the interface's own.</param>
        /// <param name="batch">Batches (PacketSocketLanPort.Batch.cs) and socket buffers of <see cref="BufferBytes"/>; false: a frame per call, default buffers.</param>
        /// <param name="ring">With batches: a TPACKET_V3 receive ring when the kernel grants one (false: recvmmsg).</param>
        /// <param name="ringBytes">The ring's size (<see cref="PacketRing.DefaultBytes"/>: 32 MiB; clamped to 4-256 MiB).</param>
        public PacketSocketLanPort(string interfaceName, byte[] routerMac = null, bool batch = false, bool ring = true, long ringBytes = PacketRing.DefaultBytes)
        {
            Interface = interfaceName;
            uint index = Libc.if_nametoindex(interfaceName);
            if (index == 0)
                throw new IOException("LAN interface '" + interfaceName + "' does not exist");
            fd = Libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW, Libc.Htons(Libc.ETH_P_ALL));
            if (fd < 0)
                throw new IOException(Libc.Error("socket(AF_PACKET)") + " (root or CAP_NET_RAW is needed)");
            // struct sockaddr_ll: family, protocol, ifindex, hatype, pkttype, halen, addr[8]
            byte* sll = stackalloc byte[20];
            new Span<byte>(sll, 20).Clear();
            *(ushort*)sll = Libc.AF_PACKET;
            *(ushort*)(sll + 2) = Libc.Htons(Libc.ETH_P_ALL);
            *(int*)(sll + 4) = (int)index;
            if (Libc.bind(fd, sll, 20) != 0)
            {
                string e = Libc.Error("bind(" + interfaceName + ")");
                Libc.close(fd);
                throw new IOException(e);
            }
            int one = 1;
            Libc.setsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_IGNORE_OUTGOING, (byte*)&one, 4);
            // struct packet_mreq: ifindex, type, alen, address[8]
            byte* mreq = stackalloc byte[16];
            new Span<byte>(mreq, 16).Clear();
            *(int*)mreq = (int)index;
            *(ushort*)(mreq + 4) = Libc.PACKET_MR_PROMISC;
            Libc.setsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_ADD_MEMBERSHIP, mreq, 16);
            if (batch)
                StartBatches(ring, ringBytes);
            if (routerMac != null)
                Array.Copy(routerMac, mac, 6);
            else
                ReadInterfaceMac(interfaceName, mac);
        }

        /// <summary>The file descriptor, for poll().</summary>
        public int Fd { get { return fd; } }

        internal static void ReadInterfaceMac(string name, byte[] mac)
        {
            string text = File.ReadAllText("/sys/class/net/" + name + "/address").Trim();
            string[] parts = text.Split(':');
            for (int i = 0; i < 6; i++)
                mac[i] = Convert.ToByte(parts[i], 16);
        }

        public void GetMacAddress(byte[] mac, int offset) { Array.Copy(this.mac, 0, mac, offset, 6); }

        public int Receive(byte[] buffer, int offset, int count)
        {
            if ((uint)offset > (uint)buffer.Length || (uint)count > (uint)(buffer.Length - offset))
                return 0;
            if (ring != null)
            {
                // Frames arrive in the ring only: one taken from it.
                single[0] = buffer;
                return ring.Read(single, offset, count, singleLength, 1) == 1 ? singleLength[0] : 0;
            }
            fixed (byte* p = buffer)
            {
                // MSG_TRUNC: the real length of a frame longer than the buffer (packet(7)).
                nint n = Libc.recv(fd, p + offset, count, Libc.MSG_DONTWAIT | Libc.MSG_TRUNC);
                return n > 0 ? (int)n : 0;
            }
        }

        public bool Send(byte[] buffer, int offset, int count)
        {
            if ((uint)offset > (uint)buffer.Length || (uint)count > (uint)(buffer.Length - offset))
                return false;
            fixed (byte* p = buffer)
                return Libc.send(fd, p + offset, count, Libc.MSG_DONTWAIT) == count;
        }

        public void Dispose()
        {
            Libc.close(fd);
            DisposeBatches();
        }
    }
}
