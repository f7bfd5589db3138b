using System;
using System.Collections.Generic;

namespace Warp.Fuzz
{
    /// <summary>
    /// One fuzz input is a script of steps: | kind (1) | length, big-endian (2) | body (length) |, repeated.
    /// A length past the end takes what is left; a kind is taken modulo the target's number of kinds.
    /// So afl-fuzz's mutations change a step's kind, its bytes or its length, add steps or cut them.
    /// </summary>
    sealed class RecordReader
    {
        readonly byte[] data;
        int position;

        public RecordReader(byte[] data) { this.data = data; }

        public byte[] Data { get { return data; } }

        /// <summary>The next step; false at the end of the input.</summary>
        public bool Next(int kinds, out int kind, out int offset, out int length)
        {
            kind = 0; offset = 0; length = 0;
            if (position >= data.Length)
                return false;
            kind = data[position] % kinds;
            int want = position + 2 < data.Length ? (data[position + 1] << 8) | data[position + 2] : 0;
            offset = Math.Min(position + 3, data.Length);
            length = Math.Min(want, data.Length - offset);
            position = offset + length;
            return true;
        }
    }

    /// <summary>Writes seeds in the <see cref="RecordReader"/> form.</summary>
    sealed class RecordWriter
    {
        readonly List<byte> bytes = new List<byte>();

        public RecordWriter Add(int kind, byte[] body) { return Add(kind, body, 0, body.Length); }

        public RecordWriter Add(int kind, byte[] body, int offset, int length)
        {
            if (length > 0xFFFF) throw new ArgumentException("a step holds at most 65535 bytes");
            bytes.Add((byte)kind);
            bytes.Add((byte)(length >> 8));
            bytes.Add((byte)length);
            for (int i = 0; i < length; i++) bytes.Add(body[offset + i]);
            return this;
        }

        public RecordWriter Add(int kind) { return Add(kind, new byte[0]); }

        public byte[] ToArray() { return bytes.ToArray(); }
    }

    /// <summary>A broken invariant: reported to afl-fuzz as a crash, like any exception that escapes a target.</summary>
    sealed class InvariantException : Exception
    {
        public InvariantException(string message) : base(message) { }
    }

    static class Check
    {
        /// <summary>The counters of the last input's state (for --replay --verbose: what an input reached).</summary>
        public static Warp.Protocol.CounterSet[] Last = new Warp.Protocol.CounterSet[0];

        public static string Describe()
        {
            var parts = new List<string>();
            foreach (var set in Last)
                for (int i = 1; i < set.Length; i++)
                    if (set.ValueAt(i) != 0) parts.Add(set.Module + "." + set.NameAt(i) + "=" + set.ValueAt(i));
            return string.Join(" ", parts);
        }

        public static void That(bool condition, string what)
        {
            if (!condition) throw new InvariantException(what);
        }

        public static byte[] Slice(byte[] b, int offset, int length)
        {
            var c = new byte[length];
            Array.Copy(b, offset, c, 0, length);
            return c;
        }
    }

    /// <summary>One fuzz target: runs an input, and names the seeds it starts from.</summary>
    interface ITarget
    {
        string Name { get; }
        /// <summary>Runs one input on fresh state; throws only on a finding.</summary>
        void Run(byte[] input);
        /// <summary>The seed corpus: (file name, bytes).</summary>
        IEnumerable<KeyValuePair<string, byte[]>> Seeds();
    }
}
