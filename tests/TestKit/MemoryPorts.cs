using System;
using System.Collections.Generic;
using Warp.Hal;
using Warp.Protocol.WireGuard;

namespace Warp.TestKit
{
    /// <summary>A LAN port in memory: frames queued for the router, frames it sent.</summary>
    public sealed class MemoryLan : ILanPort
    {
        public readonly byte[] Mac = { 0x02, 0x57, 0, 0, 0, 1 };
        public readonly Queue<byte[]> Inbox = new Queue<byte[]>();
        public readonly List<byte[]> Sent = new List<byte[]>();
        /// <summary>False: sends are only counted (for allocation measurements).</summary>
        public bool Record = true;
        public int SendCount;
        /// <summary>When set, every sent frame adds "lan" here (to order sends against store writes).</summary>
        public List<string> Log;

        public void GetMacAddress(byte[] mac, int offset) { Array.Copy(Mac, 0, mac, offset, 6); }

        public int Receive(byte[] buffer, int offset, int count)
        {
            if (Inbox.Count == 0) return 0;
            var f = Inbox.Dequeue();
            Array.Copy(f, 0, buffer, offset, Math.Min(f.Length, count)); // cut like a real port, the real length returned
            return f.Length;
        }

        public bool Send(byte[] buffer, int offset, int count)
        {
            SendCount++;
            if (Log != null) Log.Add("lan");
            if (Record) Sent.Add(Copy(buffer, offset, count));
            return true;
        }

        public static byte[] Copy(byte[] b, int o, int n) { var c = new byte[n]; Array.Copy(b, o, c, 0, n); return c; }
    }

    /// <summary>An uplink in memory: datagrams queued for the router (from <see cref="From"/>), datagrams it sent and where to.</summary>
    public sealed class MemoryUplink : IUplink
    {
        public readonly Queue<byte[]> Inbox = new Queue<byte[]>();
        public readonly Endpoint From = new Endpoint();
        public readonly List<byte[]> Sent = new List<byte[]>();
        public readonly List<string> SentTo = new List<string>();
        public bool Record = true;
        public int SendCount;
        /// <summary>What every Send returns (tests of the failure counters set it).</summary>
        public UplinkSendResult Result = UplinkSendResult.Sent;
        /// <summary>When set, every datagram sent adds "uplink" here.</summary>
        public List<string> Log;

        public int Receive(byte[] buffer, int offset, int count, Endpoint source)
        {
            if (Inbox.Count == 0) return 0;
            var d = Inbox.Dequeue();
            Array.Copy(d, 0, buffer, offset, d.Length);
            source.CopyFrom(From);
            return d.Length;
        }

        public UplinkSendResult Send(byte[] buffer, int offset, int count, Endpoint destination)
        {
            SendCount++;
            if (Result != UplinkSendResult.Sent) return Result;
            if (Log != null) Log.Add("uplink");
            if (Record)
            {
                Sent.Add(MemoryLan.Copy(buffer, offset, count));
                SentTo.Add(destination.ToString());
            }
            return Result;
        }
    }

    /// <summary>Uplink changes a test scripts: each Poll returns the next queued one.</summary>
    public sealed class ScriptedUplinkMonitor : IUplinkMonitor
    {
        public readonly Queue<(UplinkChange Change, int Family)> Changes = new Queue<(UplinkChange, int)>();
        public UplinkChange Poll(long now, out int family)
        {
            if (Changes.Count == 0) { family = 0; return UplinkChange.None; }
            var (c, f) = Changes.Dequeue();
            family = f;
            return c;
        }
    }

    /// <summary>A status light that remembers what it showed, and a button a test presses.</summary>
    public sealed class RecordingIndicator : IIndicator
    {
        public readonly List<IndicatorState> Shown = new List<IndicatorState>();
        public void Show(IndicatorState state) { Shown.Add(state); }
    }

    public sealed class TestButton : IButton
    {
        public bool IsPressed { get; set; }
    }
}

namespace Warp.TestKit
{
    /// <summary>
    /// Several uplinks in memory that can fail on demand (the fault-injecting uplink): datagrams
    /// it sent with their uplink and destination, scripted send results, and the reconnects asked
    /// of it. Datagrams queued for the router carry their source and uplink.
    /// </summary>
    public sealed class FaultyUplink : IUplink, IMultiUplink
    {
        public readonly List<(int Uplink, string To, byte[] Data)> Sent = new List<(int, string, byte[])>();
        public readonly Queue<(int Uplink, Endpoint From, byte[] Data)> Inbox = new Queue<(int, Endpoint, byte[])>();
        /// <summary>Results the next sends return, in order (Sent once empty).</summary>
        public readonly Queue<UplinkSendResult> Results = new Queue<UplinkSendResult>();
        /// <summary>Every send returns this while it is not Sent (a link that stays broken).</summary>
        public UplinkSendResult Broken = UplinkSendResult.Sent;
        public readonly List<(int Uplink, int Family)> Reconnects = new List<(int, int)>();
        readonly string[] names;
        int lastUplink;

        public FaultyUplink(params string[] uplinkNames) { names = uplinkNames.Length > 0 ? uplinkNames : new[] { "wan0" }; }

        public int UplinkCount { get { return names.Length; } }
        public string UplinkName(int uplink) { return uplink >= 0 && uplink < names.Length ? names[uplink] : "?"; }
        public int LastReceiveUplink { get { return lastUplink; } }
        public bool Reconnect(int uplink, int family) { Reconnects.Add((uplink, family)); return true; }

        public int Receive(byte[] buffer, int offset, int count, Endpoint source)
        {
            if (Inbox.Count == 0) return 0;
            var (u, from, d) = Inbox.Dequeue();
            Array.Copy(d, 0, buffer, offset, d.Length);
            source.CopyFrom(from);
            lastUplink = u;
            return d.Length;
        }

        public UplinkSendResult Send(byte[] buffer, int offset, int count, Endpoint destination) { return SendOn(0, buffer, offset, count, destination); }

        public UplinkSendResult SendOn(int uplink, byte[] buffer, int offset, int count, Endpoint destination)
        {
            UplinkSendResult r = Results.Count > 0 ? Results.Dequeue() : Broken;
            if (r == UplinkSendResult.Sent)
                Sent.Add((uplink, destination.ToString(), MemoryLan.Copy(buffer, offset, count)));
            return r;
        }
    }
}
