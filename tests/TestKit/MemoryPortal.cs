using System;
using System.Collections.Generic;
using Warp.Hal;

namespace Warp.TestKit
{
    /// <summary>
    /// A captive-portal probe in memory: records each start, and answers when the test says so
    /// (<see cref="Answer"/>, <see cref="Fail"/>) or at once from <see cref="AutoAnswer"/>. It bounds
    /// the answer to the caller's buffer as a real adapter does.
    /// </summary>
    public sealed class MemoryPortalProbe : IPortalProbe
    {
        public readonly List<(string Host, int Port, string Path, long At)> Starts = new List<(string, int, string, long)>();
        public int Cancels;
        /// <summary>False: Start refuses (no socket).</summary>
        public bool CanStart = true;
        /// <summary>When set, every probe is answered with these bytes at its first poll.</summary>
        public byte[] AutoAnswer;
        ProbeState state = ProbeState.Idle;
        byte[] pending;

        public bool IsRunning { get { return state == ProbeState.Running; } }

        public bool Start(string host, int port, string path, long now)
        {
            if (!CanStart || state == ProbeState.Running) return false;
            Starts.Add((host, port, path, now));
            state = ProbeState.Running;
            pending = AutoAnswer;
            return true;
        }

        /// <summary>The running probe gets this answer at its next poll.</summary>
        public void Answer(byte[] response) { pending = response; }

        public void Answer(string response) { Answer(System.Text.Encoding.ASCII.GetBytes(response)); }

        /// <summary>The running probe fails at its next poll (refused, no name).</summary>
        public void Fail() { pending = Array.Empty<byte>(); }

        public ProbeState Poll(byte[] buffer, int offset, int count, out int length)
        {
            length = 0;
            if (state != ProbeState.Running || pending == null)
                return state;
            state = ProbeState.Idle;
            byte[] r = pending;
            pending = null;
            if (r.Length == 0)
                return ProbeState.Failed;
            length = Math.Min(r.Length, count);
            Array.Copy(r, 0, buffer, offset, length);
            return ProbeState.Answered;
        }

        public void Cancel()
        {
            Cancels++;
            state = ProbeState.Idle;
            pending = null;
        }
    }

    /// <summary>The uplink's MAC in memory; <see cref="Refuse"/> makes writes fail as a busy driver would.</summary>
    public sealed class MemoryUplinkMac : IUplinkMac
    {
        public readonly byte[] Mac = { 0x02, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e };
        public readonly List<byte[]> Writes = new List<byte[]>();
        public bool Refuse;
        public bool CanRead = true;

        public bool Read(byte[] mac, int offset)
        {
            if (!CanRead) return false;
            Array.Copy(Mac, 0, mac, offset, 6);
            return true;
        }

        public bool Write(byte[] mac, int offset)
        {
            if (Refuse) return false;
            var w = new byte[6];
            Array.Copy(mac, offset, w, 0, 6);
            Writes.Add(w);
            Array.Copy(w, Mac, 6);
            return true;
        }
    }
}
