using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// First-come, first-served source address validation for IPv6 (RFC 6620, in the framework
    /// of RFC 7039): each IPv6 source address a LAN device uses is bound to that device the
    /// first time it is seen (its DAD probe, or its first packet), and a packet from any other
    /// device with that source is refused. Only link-local (fe80::/64) and the router's ULA /64
    /// are accepted; the router's own addresses are never bound. A binding lapses after
    /// <see cref="Lifetime"/> of silence, so a device that left frees its addresses.
    /// <code>
    ///  slot i:  | state (1) | address (16) | device (1) | last seen, ms (8) |   26 bytes per slot
    /// </code>
    /// The return path uses the same table: traffic for an address goes to its bound device's MAC,
    /// never to whichever MAC last sent from it. Lookups compare the interface identifier (the
    /// last 8 bytes) first: the prefixes are the same two for every entry. Nothing allocates.
    /// </summary>
    public sealed class Ipv6SourceBindings
    {
        /// <summary>Bytes per slot.</summary>
        public const int BytesPerBinding = 1 + 16 + 1 + 8;
        /// <summary>A binding lapses after this much silence from its device (30 minutes).</summary>
        public const long Lifetime = 30 * 60 * 1000L;
        /// <summary>
        /// Addresses one device may hold at once: a phone uses a link-local, a stable and one or two
        /// temporary addresses (RFC 8981); more would let one device fill the table for everyone.
        /// </summary>
        public const int MaxPerDevice = 8;
        const byte Free = 0;
        const byte Bound = 1;

        readonly byte[] states;
        readonly byte[] addresses;
        readonly byte[] devices;
        readonly long[] lastSeen;
        int count;
        int hint = -1; // the slot of the last source checked: consecutive packets of a flow skip the scan

        public Ipv6SourceBindings(int capacity)
        {
            if (capacity < 1 || capacity > 4096)
                throw new System.ArgumentOutOfRangeException("capacity");
            states = new byte[capacity];
            addresses = new byte[capacity * 16];
            devices = new byte[capacity];
            lastSeen = new long[capacity];
        }

        public int Capacity { get { return states.Length; } }
        /// <summary>Grows whenever a binding is made or removed (compare for equality only).</summary>
        public int Version { get { return version; } }
        int version;

        /// <summary>When the live binding in <paramref name="slot"/> (from <see cref="Find"/>) was last refreshed.</summary>
        public long LastSeenAt(int slot) { return lastSeen[slot]; }

        /// <summary>The device of the binding in <paramref name="slot"/>.</summary>
        public int DeviceAt(int slot) { return devices[slot]; }

        /// <summary>
        /// Traffic the device sent from the address at <paramref name="at"/> that the managed check did
        /// not see (the native fast path carried it): the binding stays live as long as it would have.
        /// </summary>
        public void Refresh(int slot, long at)
        {
            if (states[slot] == Bound && at > lastSeen[slot])
                lastSeen[slot] = at;
        }
        public int Count { get { return count; } }
        public int SizeInBytes { get { return states.Length * BytesPerBinding; } }

        /// <summary>The live binding of the address at (b, offset), or -1.</summary>
        public int Find(byte[] b, int offset, long now)
        {
            for (int i = 0; i < states.Length; i++)
            {
                if (states[i] != Bound)
                    continue;
                int a = i * 16;
                if (Endian.Read32(addresses, a + 12) != Endian.Read32(b, offset + 12) || Endian.Read32(addresses, a + 8) != Endian.Read32(b, offset + 8)
                    || !Ipv6Address.Equal(addresses, a, b, offset))
                    continue;
                if (now - lastSeen[i] > Lifetime)
                {
                    Remove(i);
                    return -1;
                }
                return i;
            }
            return -1;
        }

        /// <summary>The device bound to the address, or -1.</summary>
        public int DeviceOf(byte[] b, int offset, long now)
        {
            int i = Find(b, offset, now);
            return i < 0 ? -1 : devices[i];
        }

        /// <summary>
        /// Checks a source address from <paramref name="device"/>: the device's own binding is
        /// refreshed, a free address is bound to it (first come, first served). Returns None, or
        /// the reason the packet must be dropped.
        /// </summary>
        public LanCounter Check(byte[] b, int offset, int device, LanConfig config, long now)
        {
            if (!IsOnLink(b, offset, config))
                return LanCounter.DropSourceForeignPrefix;
            if (config.IsRouterIpv6(b, offset))
                return LanCounter.DropSourceRouterAddress;
            int h = hint;
            if (h >= 0 && states[h] == Bound && devices[h] == device && now - lastSeen[h] <= Lifetime
                && Ipv6Address.Equal(addresses, h * 16, b, offset))
            {
                lastSeen[h] = now;
                return LanCounter.None;
            }
            int i = Find(b, offset, now);
            if (i >= 0)
            {
                if (devices[i] != device)
                    return LanCounter.DropSourceBoundElsewhere;
                lastSeen[i] = now;
                hint = i;
                return LanCounter.None;
            }
            if (device < 0)
                return LanCounter.DropSourceDeviceTableFull;
            if (CountOf(device, now) >= MaxPerDevice)
                return LanCounter.DropSourceDeviceBindingLimit;
            i = FreeSlot(now);
            if (i < 0)
                return LanCounter.DropSourceBindingTableFull;
            states[i] = Bound;
            version++;
            System.Array.Copy(b, offset, addresses, i * 16, 16);
            devices[i] = (byte)device;
            lastSeen[i] = now;
            count++;
            hint = i;
            return LanCounter.None;
        }

        /// <summary>True for link-local (fe80::/64) and the router's ULA /64: the only sources a LAN device may use.</summary>
        public static bool IsOnLink(byte[] b, int offset, LanConfig config)
        {
            if (b[offset] == 0xFE && b[offset + 1] == 0x80)
            {
                for (int k = 2; k < 8; k++)
                    if (b[offset + k] != 0)
                        return false;
                return true;
            }
            byte[] ula = config.UlaPrefix;
            if (!config.HasUla)
                return false;
            for (int k = 0; k < 8; k++)
                if (b[offset + k] != ula[k])
                    return false;
            return true;
        }

        /// <summary>Drops every binding of a device (its slot is being freed).</summary>
        public void ForgetDevice(int device)
        {
            for (int i = 0; i < states.Length; i++)
                if (states[i] == Bound && devices[i] == device)
                    Remove(i);
        }

        int CountOf(int device, long now)
        {
            int n = 0;
            for (int i = 0; i < states.Length; i++)
                if (states[i] == Bound && devices[i] == device && now - lastSeen[i] <= Lifetime)
                    n++;
            return n;
        }

        /// <summary>True when the device holds a live binding.</summary>
        public bool HasBinding(int device, long now)
        {
            for (int i = 0; i < states.Length; i++)
                if (states[i] == Bound && devices[i] == device && now - lastSeen[i] <= Lifetime)
                    return true;
            return false;
        }

        int FreeSlot(long now)
        {
            for (int i = 0; i < states.Length; i++)
            {
                if (states[i] == Free)
                    return i;
                if (now - lastSeen[i] > Lifetime)
                {
                    Remove(i);
                    return i;
                }
            }
            return -1;
        }

        void Remove(int i)
        {
            version++;
            states[i] = Free;
            count--;
        }
    }
}
