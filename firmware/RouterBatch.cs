using Warp.Hal;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// The router's batches: when the LAN port is an <see cref="ILanBatch"/> or the uplink an
    /// <see cref="IUplinkBatch"/> and the board's <see cref="RouterSizes.Batch"/> is above 1, a poll
    /// takes up to a batch from a side in one call, handles each packet in its own slot (the
    /// slots are allocated once, here), queues the LAN frames and the tunnel's data messages it
    /// sends meanwhile, and flushes both queues once per batch. Every other send (handshakes,
    /// keepalives, replies made outside a batch) goes at once, as without batches; so does
    /// everything on a port that has no batches. Nothing here allocates.
    /// </summary>
    public sealed partial class Router
    {
        ILanBatch lanBatch;
        IUplinkBatch uplinkBatch;
        byte[][] lanSlots, uplinkSlots;
        int[] lanLengths, uplinkLengths, uplinkOn;
        Endpoint[] uplinkSources;
        readonly int[] sendResults = new int[8];
        /// <summary>True while a batch is handled: LAN frames and data messages are queued, not sent.</summary>
        bool queueing;
        int lanQueued, uplinkQueued;

        /// <summary>Packets a poll takes from one side in one call (1: no batches).</summary>
        public int BatchSize { get { return lanSlots != null ? lanSlots.Length : uplinkSlots != null ? uplinkSlots.Length : 1; } }

        /// <summary>Allocates the slots of each side whose port takes batches (constructor only).</summary>
        void SetUpBatches(RouterPlatform platform)
        {
            int n = sizes.Batch;
            if (n <= 1)
                return;
            lanBatch = platform.Lan as ILanBatch;
            uplinkBatch = platform.Uplink as IUplinkBatch;
            if (lanBatch != null)
            {
                lanSlots = new byte[n][];
                lanSlots[0] = lanBuffer;
                for (int i = 1; i < n; i++)
                    lanSlots[i] = new byte[sizes.PacketBuffer];
                lanLengths = new int[n];
            }
            if (uplinkBatch != null)
            {
                uplinkSlots = new byte[n][];
                uplinkSlots[0] = uplinkBuffer;
                for (int i = 1; i < n; i++)
                    uplinkSlots[i] = new byte[sizes.PacketBuffer];
                uplinkLengths = new int[n];
                uplinkOn = new int[n];
                uplinkSources = new Endpoint[n];
                uplinkSources[0] = source;
                for (int i = 1; i < n; i++)
                    uplinkSources[i] = new Endpoint();
            }
        }

        /// <summary>Bytes of the batch slots beyond the single buffers every router has.</summary>
        int BatchMemoryBytes
        {
            get
            {
                int b = sendResults.Length * 4;
                if (lanSlots != null)
                    b += (lanSlots.Length - 1) * sizes.PacketBuffer + lanLengths.Length * 4;
                if (uplinkSlots != null)
                    b += (uplinkSlots.Length - 1) * (sizes.PacketBuffer + 16) + uplinkLengths.Length * 8;
                return b;
            }
        }

        /// <summary>LAN frames by the batch, up to <see cref="PollBudget"/> in one poll; the sends each batch caused leave once, after it.</summary>
        void PollLanBatch(long now)
        {
            int budget = PollBudget;
            while (budget > 0)
            {
                int max = budget < lanSlots.Length ? budget : lanSlots.Length;
                int got = lanBatch.ReceiveBatch(lanSlots, LanReadOffset, sizes.PacketBuffer - LanReadOffset, lanLengths, max);
                if (got <= 0)
                    break;
                if (got > max)
                    got = max;
                queueing = true;
                for (int i = 0; i < got; i++)
                {
                    lanBuffer = lanSlots[i];
                    int n = lanLengths[i];
                    counters.Increment(RouterCounter.LanFramesReceived);
                    if (n > lanBuffer.Length - LanReadOffset)
                        HandleOversizeFrame(LanReadOffset, lanBuffer.Length - LanReadOffset, now);
                    else if (n > 0 && !OfferLanFrame(LanReadOffset, n, now)) // the fast path's flows first (Router.Offload.cs)
                        HandleLanFrame(LanReadOffset, n, now);
                }
                queueing = false;
                lanBuffer = lanSlots[0];
                FlushSends(now);
                budget -= got;
                if (got < max)
                    break; // the port is drained
            }
        }

        /// <summary>Uplink datagrams by the batch, as <see cref="PollLanBatch"/>.</summary>
        void PollUplinkBatch(long now)
        {
            int budget = PollBudget;
            while (budget > 0)
            {
                int max = budget < uplinkSlots.Length ? budget : uplinkSlots.Length;
                int got = uplinkBatch.ReceiveBatch(uplinkSlots, 0, sizes.PacketBuffer, uplinkLengths, uplinkSources, uplinkOn, max);
                if (got <= 0)
                    break;
                if (got > max)
                    got = max;
                queueing = true;
                for (int i = 0; i < got; i++)
                {
                    uplinkBuffer = uplinkSlots[i];
                    source = uplinkSources[i];
                    receivedOn = uplinkOn[i];
                    counters.Increment(RouterCounter.DatagramsReceived);
                    int n = uplinkLengths[i];
                    HandleDatagram(n < uplinkBuffer.Length ? n : uplinkBuffer.Length, now);
                }
                queueing = false;
                uplinkBuffer = uplinkSlots[0];
                source = uplinkSources[0];
                FlushSends(now);
                budget -= got;
                if (got < max)
                    break;
            }
        }

        /// <summary>A LAN frame while a batch is handled: into the port's queue.</summary>
        void QueueLan(byte[] b, int offset, int length)
        {
            lanBatch.Queue(b, offset, length);
            lanQueued++;
        }

        /// <summary>
        /// A data message to the peer: into the uplink's queue while a batch is handled (the uplink
        /// copies it; the batch's flush sends it), else sent at once; data sent tells the racer.
        /// </summary>
        void SendData(byte[] b, int offset, int length, long now)
        {
            if (queueing && uplinkBatch != null)
                QueueData(b, offset, length);
            else if (SendToPeer(b, offset, length, now) == UplinkSendResult.Sent)
                paths.OnDataSent(now);
        }

        /// <summary>A data message while a batch is handled: into the uplink's queue, to the current path.</summary>
        void QueueData(byte[] b, int offset, int length)
        {
            Endpoint to = Destination();
            if (!to.IsSet)
            {
                counters.Increment(RouterCounter.DropNoPeerEndpoint);
                return;
            }
            uplinkBatch.Queue(paths.CurrentUplink, b, offset, length, to);
            uplinkQueued++;
        }

        /// <summary>
        /// Sends both queues: each datagram's result is counted as a single send's is; any data sent
        /// tells the racer (OnDataSent), and a fatal failure gets the fast reconnect, once per flush.
        /// </summary>
        void FlushSends(long now)
        {
            if (uplinkQueued > 0)
            {
                uplinkQueued = 0;
                for (int i = 0; i < sendResults.Length; i++)
                    sendResults[i] = 0;
                uplinkBatch.Flush(sendResults);
                counters.Add(RouterCounter.DatagramsSent, sendResults[(int)UplinkSendResult.Sent]);
                counters.Add(RouterCounter.DropUplinkWouldBlock, sendResults[(int)UplinkSendResult.WouldBlock]);
                counters.Add(RouterCounter.DropUplinkNoBuffers, sendResults[(int)UplinkSendResult.NoBuffers]);
                counters.Add(RouterCounter.DropUplinkNoRoute, sendResults[(int)UplinkSendResult.NoRoute]);
                counters.Add(RouterCounter.DropUplinkFamilyDown, sendResults[(int)UplinkSendResult.FamilyDown]);
                counters.Add(RouterCounter.DropUplinkSendFailed, sendResults[(int)UplinkSendResult.Failed]);
                if (sendResults[(int)UplinkSendResult.Sent] > 0)
                    paths.OnDataSent(now);
                for (int r = (int)UplinkSendResult.NoBuffers; r <= (int)UplinkSendResult.Failed; r++)
                    if (sendResults[r] > 0)
                    {
                        ReactToSendFailure((UplinkSendResult)r, now);
                        break;
                    }
            }
            if (lanQueued > 0)
            {
                int queued = lanQueued;
                lanQueued = 0;
                int failed = lanBatch.Flush();
                if (failed < 0) failed = 0;
                if (failed > queued) failed = queued;
                counters.Add(RouterCounter.LanFramesSent, queued - failed);
                counters.Add(RouterCounter.DropLanSendFailed, failed);
            }
        }
    }
}
