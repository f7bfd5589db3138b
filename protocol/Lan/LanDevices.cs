using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// The devices on the LAN, by MAC, each with a small index (0..254) that the source bindings
    /// and the NAT use instead of the MAC: a device is what the NAT's fairness counts (a phone's
    /// IPv4 lease and its SLAAC addresses are one device). A device is entered when it is bound:
    /// it got a DHCP lease, or its first IPv6 address passed the source check.
    /// <code>
    ///  slot i:  | in use (1) | MAC (6) | last seen, ms (8) |      15 bytes per slot
    /// </code>
    /// A lookup scans the slots (the capacity is small, from the board profile). A full table
    /// enters no new device (the router counts the drop); the router frees a device after it has
    /// been silent for a while and holds no NAT session (<see cref="Forget"/>). Nothing allocates.
    /// </summary>
    public sealed class LanDevices
    {
        /// <summary>Bytes per slot.</summary>
        public const int BytesPerDevice = 1 + 6 + 8;
        readonly bool[] inUse;
        readonly byte[] macs;
        readonly long[] lastSeen;
        int count;
        int hint; // the last device found: a flow's frames skip the scan

        /// <param name="capacity">Device slots, 1 to 255 (255 is the NAT's "no device").</param>
        public LanDevices(int capacity)
        {
            if (capacity < 1 || capacity > 255)
                throw new System.ArgumentOutOfRangeException("capacity");
            inUse = new bool[capacity];
            macs = new byte[capacity * 6];
            lastSeen = new long[capacity];
        }

        public int Capacity { get { return inUse.Length; } }
        public int Count { get { return count; } }
        public int SizeInBytes { get { return inUse.Length * BytesPerDevice; } }
        public bool IsUsed(int device) { return device >= 0 && device < inUse.Length && inUse[device]; }
        public long LastSeen(int device) { return lastSeen[device]; }

        /// <summary>Copies the device's MAC to (mac, offset).</summary>
        public void CopyMac(int device, byte[] mac, int offset) { System.Array.Copy(macs, device * 6, mac, offset, 6); }

        /// <summary>True when (mac, offset) is the device's MAC.</summary>
        public bool HasMac(int device, byte[] mac, int offset) { return MacAddress.Equal(macs, device * 6, mac, offset); }

        /// <summary>The device with this MAC, or -1.</summary>
        public int Find(byte[] mac, int offset)
        {
            for (int i = 0; i < inUse.Length; i++)
                if (inUse[i] && MacAddress.Equal(macs, i * 6, mac, offset))
                    return i;
            return -1;
        }

        /// <summary>
        /// The device with this MAC, entered when new, seen now. -1 for a group or all-zero MAC, or
        /// when the table is full.
        /// </summary>
        public int FindOrAdd(byte[] mac, int offset, long now)
        {
            if ((mac[offset] & 1) != 0 || IsZero(mac, offset))
                return -1;
            if (inUse[hint] && MacAddress.Equal(macs, hint * 6, mac, offset))
            {
                lastSeen[hint] = now;
                return hint;
            }
            int free = -1;
            for (int i = 0; i < inUse.Length; i++)
            {
                if (!inUse[i])
                {
                    if (free < 0)
                        free = i;
                    continue;
                }
                if (MacAddress.Equal(macs, i * 6, mac, offset))
                {
                    lastSeen[i] = now;
                    hint = i;
                    return i;
                }
            }
            if (free < 0)
                return -1;
            inUse[free] = true;
            System.Array.Copy(mac, offset, macs, free * 6, 6);
            lastSeen[free] = now;
            count++;
            hint = free;
            return free;
        }

        /// <summary>Frees the device's slot (the router calls it for a device long silent and without sessions).</summary>
        public void Forget(int device)
        {
            if (!IsUsed(device))
                return;
            inUse[device] = false;
            count--;
        }

        static bool IsZero(byte[] mac, int offset)
        {
            for (int i = 0; i < 6; i++)
                if (mac[offset + i] != 0)
                    return false;
            return true;
        }
    }
}
