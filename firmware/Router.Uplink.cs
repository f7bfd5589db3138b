using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.Uplink;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>The router's uplink side: datagrams in (the tunnel, late race responses), the tunnel's timers, the same initiation on every path of a race, and every send with its result.</summary>
    public sealed partial class Router
    {
        // ------------------------------------------------------------------ tunnel -> LAN

        internal void HandleDatagram(int length, long now)
        {
            const int ip = EthernetFrame.HeaderLength; // room for the Ethernet header in front
            if (paths.IsLateResponse(uplinkBuffer, 0, length))
                return; // a race loser's answer: that path is closed (counted by the racer)
            if (OfferDatagram(length, now)) // an offloaded keypair's data first (Router.Offload.cs)
                return;
            TunnelResult r = tunnel.Decapsulate(source, uplinkBuffer, 0, length, inBuffer, ip, now);
            if (r.Action == TunnelAction.HandshakeComplete)
            {
                haveInitiation = false;
                paths.OnHandshakeComplete(source, receivedOn, now);
            }
            if (r.Action != TunnelAction.Dropped)
            {
                paths.OnReceived(now);
                // Roaming (whitepaper 2.1): the tunnel moved the peer to the source of an authenticated packet.
                Endpoint seen = tunnel.GetPeer(0).Endpoint;
                if (seen.IsSet && !seen.SameAs(paths.Current))
                {
                    paths.OnAuthenticated(seen);
                    events.Add(EventKind.EndpointChanged, now, seen, EventLog.EndpointRoamed);
                }
                if (r.Action == TunnelAction.HandshakeComplete)
                    events.Add(EventKind.HandshakeComplete, now, seen, 0);
            }
            if (r.Action == TunnelAction.WriteToNetwork)
            {
                SendUplink(inBuffer, ip, r.Length, source, receivedOn, now);
            }
            else if (r.Action == TunnelAction.WriteToLan)
            {
                counters.Increment(RouterCounter.PacketsFromTunnel);
                NatResult nr = nat.TranslateInbound(inBuffer, ip, r.Length, now);
                if (nr.Action == NatAction.WriteToLan)
                {
                    DeliverInbound(inBuffer, ip, r.Length, now);
                    ReleaseFragments(now);
                    ConsiderOffload(inBuffer, ip, r.Length, now);
                }
            }
            RunTunnelTimers(now);
        }

        // ------------------------------------------------------------------ I/O

        void RunTunnelTimers(long now)
        {
            for (int i = 0; i < PollBudget; i++)
            {
                TunnelResult r = tunnel.Tick(now, outBuffer, 0);
                if (r.Action == TunnelAction.Done || r.Action == TunnelAction.HandshakeComplete)
                    return;
                if (r.Action != TunnelAction.WriteToNetwork)
                    continue;
                if (r.Length == Message.InitiationSize && outBuffer[0] == Message.TypeInitiation)
                {
                    // Keep the initiation: the racer sends these same bytes on every path.
                    System.Array.Copy(outBuffer, 0, initiation, 0, Message.InitiationSize);
                    haveInitiation = true;
                    paths.OnInitiation(now);
                    SendInitiationCopies(now);
                }
                else
                {
                    SendToPeer(outBuffer, 0, r.Length, now);
                }
            }
        }

        /// <summary>Sends the kept initiation where the racer says, now (the rest follow at their attempt times).</summary>
        void SendInitiationCopies(long now)
        {
            if (!haveInitiation)
                return;
            for (int i = 0; i < paths.Capacity + 1 && paths.NextSend(now); i++)
            {
                UplinkSendResult sr = SendUplink(initiation, 0, Message.InitiationSize, paths.SendTo, paths.SendToUplink, now);
                if (sr != UplinkSendResult.Sent)
                {
                    if (paths.Racing)
                        paths.OnAttemptNotSent(now);
                    else
                        ReactToSendFailure(sr, now);
                }
            }
        }

        /// <summary>A datagram the router originates, to the current path; a fatal failure there asks the racer what to do.</summary>
        UplinkSendResult SendToPeer(byte[] b, int offset, int length, long now)
        {
            UplinkSendResult sr = SendUplink(b, offset, length, Destination(), paths.CurrentUplink, now);
            if (sr != UplinkSendResult.Sent)
                ReactToSendFailure(sr, now);
            return sr;
        }

        /// <summary>
        /// The fast reconnect: no buffers, no route or a dead socket on the winning path makes a new
        /// socket there and asks for a keepalive at once (a handshake without a session), so the
        /// peer learns our new source; no race. The racer bounds it with backoff and falls back to
        /// a race when reconnects keep failing.
        /// </summary>
        void ReactToSendFailure(UplinkSendResult sr, long now)
        {
            if (sr == UplinkSendResult.Sent || sr == UplinkSendResult.WouldBlock)
                return;
            PathAction a = paths.OnSendFailed(now);
            if (a == PathAction.Reconnect)
            {
                if (uplinks != null)
                    uplinks.Reconnect(paths.CurrentUplink, Destination().Family);
                tunnel.RequestKeepalive(0);
            }
            else if (a == PathAction.Race)
            {
                AfterRaceStarted(now);
            }
        }

        /// <summary>Where the datagrams the router originates go: the path selector's choice, else where the peer was last seen.</summary>
        Endpoint Destination()
        {
            return paths.Current.IsSet ? paths.Current : tunnel.GetPeer(0).Endpoint;
        }

        UplinkSendResult SendUplink(byte[] b, int offset, int length, Endpoint to, int on, long now)
        {
            if (!to.IsSet)
            {
                counters.Increment(RouterCounter.DropNoPeerEndpoint);
                return UplinkSendResult.WouldBlock; // nothing to reconnect
            }
            if (tunnel.Timestamps.CeilingDirty && length == Message.InitiationSize && b[offset] == Message.TypeInitiation)
            {
                // Its timestamp is above the stored ceiling: it leaves after the write (SaveRecords,
                // at the idle point of this poll), so no crash can make a later initiation repeat it.
                if (heldInitiationLength > 0)
                    FlushCeiling(now); // a second one before the idle point: write now, in order
                if (tunnel.Timestamps.CeilingDirty)
                {
                    System.Array.Copy(b, offset, heldInitiation, 0, length);
                    heldInitiationTo.CopyFrom(to);
                    heldInitiationOn = on;
                    heldInitiationLength = length;
                    counters.Increment(RouterCounter.InitiationsHeldForStore);
                    return UplinkSendResult.Sent; // it goes out in this poll, after the write
                }
            }
            UplinkSendResult sr = uplinks != null ? uplinks.SendOn(on, b, offset, length, to) : uplink.Send(b, offset, length, to);
            switch (sr)
            {
                case UplinkSendResult.Sent: counters.Increment(RouterCounter.DatagramsSent); break;
                case UplinkSendResult.WouldBlock: counters.Increment(RouterCounter.DropUplinkWouldBlock); break;
                case UplinkSendResult.NoBuffers: counters.Increment(RouterCounter.DropUplinkNoBuffers); break;
                case UplinkSendResult.NoRoute: counters.Increment(RouterCounter.DropUplinkNoRoute); break;
                case UplinkSendResult.FamilyDown: counters.Increment(RouterCounter.DropUplinkFamilyDown); break;
                default: counters.Increment(RouterCounter.DropUplinkSendFailed); break;
            }
            return sr;
        }
    }
}
