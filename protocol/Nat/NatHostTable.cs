using System;
using Warp.Protocol.Net;

namespace Warp.Protocol.Nat
{
    /// <summary>
    /// The LAN hosts that own sessions, IPv4 and IPv6, in fixed slots referenced by a one-byte
    /// index. Sessions store that index instead of the LAN address, so a 16-byte IPv6 address is
    /// kept once per host, not once per session, and per-host session counts (the share cap)
    /// come for free. A host's slot is freed when its last session goes.
    ///
    /// Each host belongs to a LAN device (<see cref="DeviceOf"/>: the router's index of the MAC the
    /// address is bound to, or <see cref="NoDevice"/>), so the share limit can count devices, not
    /// addresses: a phone with an IPv4 lease and three SLAAC addresses is one device.
    ///
    /// Memory: <see cref="BytesPerHost"/> bytes per host slot (16 address + 4 IPv4 + 1 family +
    /// 1 device + 2 count + 2 index cells of 1 byte), allocated once in the constructor.
    /// Lookup is O(1): open addressing with linear probing over a keyed hash of the address.
    /// </summary>
    public sealed class NatHostTable
    {
        /// <summary>Bytes of memory per host slot, index included.</summary>
        public const int BytesPerHost = 16 + 4 + 1 + 1 + 2 + 2;
        /// <summary>The device of a host the caller did not name (the NAT used on its own).</summary>
        public const int NoDevice = 255;
        const byte FamilyFree = 0;
        const byte FamilyV4 = 4;
        const byte FamilyV6 = 6;

        readonly byte[] family;
        readonly uint[] addressV4;
        readonly byte[] addressV6;
        readonly ushort[] sessions;
        readonly byte[] device;
        readonly byte[] index;
        readonly int indexSize;
        readonly uint key;
        int count;

        public NatHostTable(int capacity, uint hashKey)
        {
            if (capacity < 1 || capacity > 255)
                throw new ArgumentOutOfRangeException("capacity");
            family = new byte[capacity];
            addressV4 = new uint[capacity];
            addressV6 = new byte[capacity * 16];
            sessions = new ushort[capacity];
            device = new byte[capacity];
            index = new byte[capacity * 2];
            indexSize = index.Length;
            key = hashKey;
        }

        /// <summary>Host slots.</summary>
        public int Capacity { get { return family.Length; } }
        /// <summary>Hosts present.</summary>
        public int Count { get { return count; } }

        public bool IsUsed(int host) { return host >= 0 && host < family.Length && family[host] != FamilyFree; }
        public bool IsV6(int host) { return family[host] == FamilyV6; }
        /// <summary>The IPv4 address of an IPv4 host.</summary>
        public uint AddressV4(int host) { return addressV4[host]; }
        /// <summary>The array holding IPv6 addresses; a host's is at <see cref="AddressV6Offset"/>.</summary>
        public byte[] AddressV6Bytes { get { return addressV6; } }
        public int AddressV6Offset(int host) { return host * 16; }
        /// <summary>Sessions this host holds.</summary>
        public int SessionCount(int host) { return sessions[host]; }
        /// <summary>The device the host's address belongs to (0..254), or <see cref="NoDevice"/>.</summary>
        public int DeviceOf(int host) { return device[host]; }

        /// <summary>
        /// Sets the host's device. Only while it holds no session: an address that moves to another
        /// device (a lease given anew after it expired) keeps its old sessions' accounting until they go.
        /// </summary>
        public void SetDevice(int host, int deviceIndex)
        {
            if (sessions[host] == 0)
                device[host] = (byte)(deviceIndex < 0 || deviceIndex > NoDevice ? NoDevice : deviceIndex);
        }

        /// <summary>The host index of an IPv4 address, or -1.</summary>
        public int FindV4(uint address)
        {
            int i = NatHash.Home(NatHash.Mix(address, key), indexSize);
            while (true)
            {
                int cell = index[i];
                if (cell == 0)
                    return -1;
                int h = cell - 1;
                if (family[h] == FamilyV4 && addressV4[h] == address)
                    return h;
                i = NatHash.Next(i, indexSize);
            }
        }

        /// <summary>The host index of the IPv6 address at (b, offset), or -1.</summary>
        public int FindV6(byte[] b, int offset)
        {
            int i = NatHash.Home(NatHash.Fingerprint(b, offset, key), indexSize);
            while (true)
            {
                int cell = index[i];
                if (cell == 0)
                    return -1;
                int h = cell - 1;
                if (family[h] == FamilyV6 && Ipv6Address.Equal(addressV6, h * 16, b, offset))
                    return h;
                i = NatHash.Next(i, indexSize);
            }
        }

        /// <summary>The host index for an IPv4 address, added when absent; -1 when the table is full.</summary>
        public int FindOrAddV4(uint address)
        {
            int h = FindV4(address);
            if (h >= 0)
                return h;
            h = FreeSlot();
            if (h < 0)
                return -1;
            family[h] = FamilyV4;
            addressV4[h] = address;
            device[h] = NoDevice;
            Insert(h, NatHash.Mix(address, key));
            return h;
        }

        /// <summary>The host index for an IPv6 address, added when absent; -1 when the table is full.</summary>
        public int FindOrAddV6(byte[] b, int offset)
        {
            int h = FindV6(b, offset);
            if (h >= 0)
                return h;
            h = FreeSlot();
            if (h < 0)
                return -1;
            family[h] = FamilyV6;
            device[h] = NoDevice;
            Array.Copy(b, offset, addressV6, h * 16, 16);
            Insert(h, NatHash.Fingerprint(b, offset, key));
            return h;
        }

        /// <summary>Counts one more session for the host.</summary>
        public void Acquire(int host) { sessions[host]++; }

        /// <summary>Counts one session fewer; the host's slot is freed with its last session.</summary>
        public void Release(int host)
        {
            if (sessions[host] > 1)
            {
                sessions[host]--;
                return;
            }
            sessions[host] = 0;
            Remove(host);
        }

        /// <summary>Frees a host that holds no session (a lookup that added it but then failed).</summary>
        public void ReleaseIfUnused(int host)
        {
            if (host >= 0 && family[host] != FamilyFree && sessions[host] == 0)
                Remove(host);
        }

        int FreeSlot()
        {
            if (count == family.Length)
                return -1;
            for (int h = 0; h < family.Length; h++)
                if (family[h] == FamilyFree)
                    return h;
            return -1;
        }

        uint HashOf(int host)
        {
            return family[host] == FamilyV4 ? NatHash.Mix(addressV4[host], key) : NatHash.Fingerprint(addressV6, host * 16, key);
        }

        void Insert(int host, uint hash)
        {
            int i = NatHash.Home(hash, indexSize);
            while (index[i] != 0)
                i = NatHash.Next(i, indexSize);
            index[i] = (byte)(host + 1);
            count++;
        }

        void Remove(int host)
        {
            int i = NatHash.Home(HashOf(host), indexSize);
            while (index[i] != host + 1)
            {
                if (index[i] == 0)
                    return; // not indexed: nothing to do
                i = NatHash.Next(i, indexSize);
            }
            int j = i;
            while (true)
            {
                j = NatHash.Next(j, indexSize);
                int cell = index[j];
                if (cell == 0)
                    break;
                int k = NatHash.Home(HashOf(cell - 1), indexSize);
                if (NatHash.CanFill(i, j, k))
                {
                    index[i] = index[j];
                    i = j;
                }
            }
            index[i] = 0;
            family[host] = FamilyFree;
            addressV4[host] = 0;
            count--;
        }
    }
}
