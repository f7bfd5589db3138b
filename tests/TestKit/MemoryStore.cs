using System;
using System.Collections.Generic;
using Warp.Hal;
using Warp.Protocol.Lan;
using Warp.Protocol.WireGuard;

namespace Warp.TestKit
{
    /// <summary>
    /// Records in memory: the settings store of the router tests, and the lease and timestamp
    /// stores of the protocol tests (as records "dhcp-leases" and "tai64n-ceiling"). Every write
    /// and delete is logged in order, so a test can tell what was written when.
    /// </summary>
    public sealed class MemoryStore : ISettingsStore, ILeaseStore, ITimestampStore
    {
        public const string LeaseRecord = "dhcp-leases";
        public const string CeilingRecord = "tai64n-ceiling";
        public readonly Dictionary<string, byte[]> Records = new Dictionary<string, byte[]>();
        /// <summary>"w name" for a write, "d name" for a delete, in order; tests may add their own entries.</summary>
        public readonly List<string> Log = new List<string>();
        /// <summary>When false, writes fail (a worn-out flash).</summary>
        public bool Writable = true;

        public int Read(string name, byte[] buffer, int offset, int count)
        {
            if (!Records.TryGetValue(name, out var r)) return -1;
            Array.Copy(r, 0, buffer, offset, Math.Min(r.Length, count)); // longer: the first count bytes, and the whole length
            return r.Length;
        }

        public bool Write(string name, byte[] buffer, int offset, int count)
        {
            if (!Writable) return false;
            var copy = new byte[count];
            Array.Copy(buffer, offset, copy, 0, count);
            Records[name] = copy;
            Log.Add("w " + name);
            return true;
        }

        public bool Delete(string name)
        {
            Records.Remove(name);
            Log.Add("d " + name);
            return true;
        }

        /// <summary>How many times <paramref name="name"/> was written.</summary>
        public int Writes(string name) { return Log.FindAll(l => l == "w " + name).Count; }

        // ILeaseStore
        public byte[] LeaseData
        {
            get { return Records.TryGetValue(LeaseRecord, out var r) ? r : new byte[0]; }
            set { Records[LeaseRecord] = value; }
        }
        public int LeaseSaves { get { return Writes(LeaseRecord); } }
        int ILeaseStore.Load(byte[] buffer)
        {
            byte[] d = LeaseData;
            Array.Copy(d, buffer, Math.Min(d.Length, buffer.Length));
            return d.Length;
        }
        bool ILeaseStore.Save(byte[] buffer, int length) { return Write(LeaseRecord, buffer, 0, length); }

        // ITimestampStore
        public long Ceiling
        {
            get
            {
                if (!Records.TryGetValue(CeilingRecord, out var r) || r.Length != 8) return 0;
                return System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(r); // as StoredTimestampCeiling writes it
            }
            set { Records[CeilingRecord] = BigEndian(value); }
        }
        public int CeilingWrites { get { return Writes(CeilingRecord); } }
        long ITimestampStore.LoadCeiling() { return Ceiling; }
        bool ITimestampStore.StoreCeiling(long unixNanoseconds) { return Write(CeilingRecord, BigEndian(unixNanoseconds), 0, 8); }
        static byte[] BigEndian(long v)
        {
            var b = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(b, v);
            return b;
        }
    }
}
