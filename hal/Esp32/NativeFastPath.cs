using Warp.Native;
using Warp.Protocol;
using Warp.Protocol.Nat;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The device's side of flow offload: hands established NAT sessions and the tunnel's current
    /// keypair down to the native fast path (hal/Esp32/native) and brings activity, counters and the
    /// send counter back. Only exports: the NAT and the tunnel decide everything, and
    /// <see cref="Flush"/> (rekey, expiry, config change) takes it all back at any moment.
    /// Nothing here allocates after construction.
    /// </summary>
    public sealed class NativeFastPath
    {
        // The fast path's results (hal/Esp32/native/core/wn_fastpath.h, wn_action).
        public const int ActionPunt = 0;
        public const int ActionToNetwork = 1;
        public const int ActionToLan = 2;
        public const int ActionDecrypted = 3;
        public const int ActionConsumed = 4;
        public const int ActionDropped = 5;

        readonly byte[] entry = new byte[NatOffload.EntrySize];
        readonly byte[] keypair;
        readonly long[] activity = new long[4];
        readonly long[] lastOut;
        readonly long[] lastIn;
        readonly int capacity;

        /// <param name="flowCapacity">The board profile's offload table size.</param>
        /// <param name="keypairStateSize">The tunnel's <see cref="Tunnel.OffloadStateSize"/>.</param>
        public NativeFastPath(int flowCapacity, int keypairStateSize)
        {
            capacity = flowCapacity;
            keypair = new byte[keypairStateSize];
            lastOut = new long[flowCapacity];
            lastIn = new long[flowCapacity];
        }

        public bool Start() { return Interop.FastPathStart(capacity); }

        /// <summary>Offloads NAT session <paramref name="natSlot"/>; the fast path's slot, or -1 when the session is not offloadable or the table is full.</summary>
        public int Offload(NatTranslator nat, int natSlot, byte[] lanMac, int lanMacOffset, byte[] routerMac, byte[] remoteV6, int remoteV6Offset, long now)
        {
            if (NatOffload.ExportFlow(nat, natSlot, lanMac, lanMacOffset, routerMac, 0, remoteV6, remoteV6Offset, now, entry, 0) == 0)
                return -1;
            int slot = Interop.FastPathAddFlow(entry, 0, entry.Length);
            if (slot >= 0 && slot < capacity)
            {
                lastOut[slot] = 0;
                lastIn[slot] = 0;
            }
            return slot;
        }

        /// <summary>Brings a flow's activity into its NAT session; false when the session is gone, and the flow is then removed.</summary>
        public bool Sync(NatTranslator nat, int natSlot, int slot, long now)
        {
            if (slot < 0 || slot >= capacity || !Interop.FastPathFlowActivity(slot, activity, 0))
                return false;
            long outs = activity[2] - lastOut[slot], ins = activity[3] - lastIn[slot];
            lastOut[slot] = activity[2];
            lastIn[slot] = activity[3];
            if (NatOffload.ApplyActivity(nat, natSlot, outs, activity[0], ins, activity[1], now))
                return true;
            Interop.FastPathRemoveFlow(slot);
            return false;
        }

        public void Remove(int slot) { Interop.FastPathRemoveFlow(slot); }

        /// <summary>Hands the tunnel's current keypair down (after a handshake); false when there is none.</summary>
        public bool InstallKeypair(Tunnel tunnel, int peer, long now)
        {
            int n = tunnel.ExportKeypair(peer, now, keypair, 0);
            bool ok = n > 0 && Interop.FastPathSetKeypair(keypair, 0, n);
            System.Array.Clear(keypair, 0, keypair.Length); // the keys live in the tunnel and the native side only
            return ok;
        }

        /// <summary>Takes the send counter and replay window back into the tunnel (before a rekey or a flush).</summary>
        public bool TakeBackKeypair(Tunnel tunnel, int peer)
        {
            int n = Interop.FastPathGetKeypair(keypair, 0, keypair.Length);
            return n > 0 && tunnel.ImportKeypairState(peer, keypair, 0, n);
        }

        /// <summary>Takes everything back: the tunnel's keypair state first, then the native side forgets flows and wipes keys.</summary>
        public void Flush(Tunnel tunnel, int peer)
        {
            TakeBackKeypair(tunnel, peer);
            Interop.FastPathFlush();
        }

        readonly long[] snapshot = new long[(int)FastPathCounter.Count];

        /// <summary>Brings the native counters into <paramref name="counters"/> (listed by the console with the others).</summary>
        public void ReadCounters(FastPathCounters counters)
        {
            int n = Interop.FastPathCounters(snapshot, 0, snapshot.Length);
            counters.Absorb(snapshot, n);
        }
    }
}
