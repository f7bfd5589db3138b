using Warp.Protocol.Net;

namespace Warp.Protocol.WireGuard
{
    // Sending: IP packets into data messages, the stage that holds them until a session exists,
    // and our handshake initiations.
    public sealed partial class Tunnel
    {
        /// <summary>
        /// Encrypts an IP packet for <paramref name="peer"/> into a transport data message at
        /// (output, outputOffset). The output buffer needs <see cref="Message.DataSize"/> bytes
        /// from its offset; the packet may already sit at outputOffset + 16 (zero copy).
        /// Without a session the packet is staged (or dropped when the stage is full) and a
        /// handshake is asked for: nothing ever leaves unencrypted.
        /// </summary>
        public TunnelResult Encapsulate(int peer, byte[] packet, int offset, int length, byte[] output, int outputOffset, long now)
        {
            if (peer < 0 || peer >= peerCount)
                return Drop(TunnelCounter.DropSendUnknownPeer, -1);
            if (!Bounds.Fits(packet, offset, length) || length > config.MaxPacketSize)
                return Drop(TunnelCounter.DropSendPacketTooLarge, peer);
            if (!Bounds.Fits(output, outputOffset, Message.DataSize(length)))
                return Drop(TunnelCounter.DropOutputTooSmall, peer);
            Peer p = peers[peer];
            if (!p.HasSession(now))
            {
                p.WantHandshake = true;
                if (!Stage(p, packet, offset, length))
                    return Drop(TunnelCounter.DropSendNoSession, peer);
                return TunnelResult.Make(TunnelAction.Staged, 0, peer);
            }
            int n = SealData(p, packet, offset, length, output, outputOffset, now);
            if (n < 0)
                return Drop(TunnelCounter.DropSendCounterNotReserved, peer);
            return TunnelResult.Make(TunnelAction.WriteToNetwork, n, peer);
        }

        /// <summary>Seals a data message; -1, sending nothing, when the keypair is offloaded and the fast path reserved no counter.</summary>
        int SealData(Peer p, byte[] packet, int offset, int length, byte[] output, int o, long now)
        {
            Keypair kp = p.Current;
            int padded = Message.PaddedLength(length);
            if (length > 0 && (packet != output || offset != o + Message.DataPayload))
                System.Array.Copy(packet, offset, output, o + Message.DataPayload, length);
            if (padded > length)
                System.Array.Clear(output, o + Message.DataPayload + length, padded - length);
            ulong counter;
            if (!NextSendCounter(p, kp, out counter))
                return -1; // offloaded and no counter reserved: nothing is sealed
            Message.WriteType(output, o, Message.TypeData);
            Endian.Write32LE(output, o + Message.DataReceiver, kp.RemoteIndex);
            Endian.Write64LE(output, o + Message.DataCounter, counter);
            crypto.AeadSeal(kp.SendKey, 0, counter, null, 0, 0, output, o + Message.DataPayload, padded, output, o + Message.DataPayload);
            ClientId.Write(output, o, p.ClientId);
            int total = Message.DataHeaderSize + padded + Message.TagSize;
            p.BytesSent += total;
            if (length > 0)
            {
                Counters.Increment(TunnelCounter.DataPacketsSent);
                OnDataSent(p, now);
            }
            else
            {
                Counters.Increment(TunnelCounter.KeepalivesSent);
            }
            OnAnyAuthenticatedPacketSent(p);
            OnAnyAuthenticatedPacketTraversal(p, now);
            // Keep the key fresh (whitepaper 6.2): the initiator of a session rekeys after RekeyAfterTime or RekeyAfterMessages.
            if (kp.IsInitiator && (kp.SendCounter >= Limits.RekeyAfterMessages || kp.Age(now) >= Limits.RekeyAfterTime))
                p.WantHandshake = true;
            return total;
        }

        bool Stage(Peer p, byte[] packet, int offset, int length)
        {
            int capacity = p.Staged.Length;
            if (capacity == 0 || length > config.MaxPacketSize)
                return false;
            if (p.StagedCount == capacity)
            {
                // Full: the oldest packet makes room (newer traffic is worth more after a stall).
                p.StagedHead = (p.StagedHead + 1) % capacity;
                p.StagedCount--;
                Counters.Increment(TunnelCounter.DropSendNoSession);
            }
            int slot = (p.StagedHead + p.StagedCount) % capacity;
            System.Array.Copy(packet, offset, p.Staged[slot], 0, length);
            p.StagedLength[slot] = length;
            p.StagedCount++;
            return true;
        }

        // ------------------------------------------------------------------ what Tick sends

        /// <summary>The oldest staged packet, once a session exists; Done when there is none to send.</summary>
        TunnelResult SendStagedPacket(Peer p, long now, byte[] output, int o)
        {
            if (p.StagedCount == 0 || !p.HasSession(now))
                return TunnelResult.Make(TunnelAction.Done, 0, p.Number);
            if (!Bounds.Fits(output, o, Message.DataSize(config.MaxPacketSize)))
                return Drop(TunnelCounter.DropOutputTooSmall, p.Number);
            int slot = p.StagedHead;
            p.StagedHead = (p.StagedHead + 1) % p.Staged.Length;
            p.StagedCount--;
            p.SendKeepaliveNow = false; // the packet confirms the session as well as a keepalive would
            int n = SealData(p, p.Staged[slot], 0, p.StagedLength[slot], output, o, now);
            if (n < 0)
                return Drop(TunnelCounter.DropSendCounterNotReserved, p.Number);
            return TunnelResult.Make(TunnelAction.WriteToNetwork, n, p.Number);
        }

        /// <summary>A keepalive (an empty data message) on the current session; without one, a handshake is asked for instead.</summary>
        TunnelResult SendKeepalive(Peer p, long now, byte[] output, int o)
        {
            if (p.HasSession(now))
            {
                int n = SealData(p, null, 0, 0, output, o, now);
                if (n < 0)
                    return Drop(TunnelCounter.DropSendCounterNotReserved, p.Number);
                return TunnelResult.Make(TunnelAction.WriteToNetwork, n, p.Number);
            }
            if (!p.HandshakeInProgress)
                p.WantHandshake = true; // a keepalive needs a session; persistent keepalive brings one up
            return TunnelResult.Make(TunnelAction.Done, 0, p.Number);
        }

        /// <summary>
        /// A first initiation when a handshake is wanted (no session, rekey, Connect, the
        /// new-handshake timer) and none is in flight, at most one per RekeyTimeout (whitepaper 6.4).
        /// Done when nothing is sent.
        /// </summary>
        TunnelResult SendWantedInitiation(Peer p, long now, byte[] output, int o)
        {
            if (p.HandshakeInProgress)
            {
                p.WantHandshake = false; // the initiation in flight (and its retransmissions) will serve
            }
            else if (p.WantHandshake && now - p.LastInitiationSent >= Limits.RekeyTimeout)
            {
                p.WantHandshake = false;
                p.HandshakeAttempts = 0;
                return SendInitiation(p, now, output, o, false);
            }
            return TunnelResult.Make(TunnelAction.Done, 0, p.Number);
        }

        TunnelResult SendInitiation(Peer p, long now, byte[] output, int o, bool retry)
        {
            if (!Bounds.Fits(output, o, Message.InitiationSize))
                return Drop(TunnelCounter.DropOutputTooSmall, p.Number);
            indices.Remove(p.Handshake.LocalIndex);
            uint index = NewIndex(p.Number);
            if (!noise.CreateInitiation(p, index, now, timestamps, retry, entropy, output, o))
            {
                indices.Remove(index);
                return Drop(TunnelCounter.DropBadPublicKey, p.Number);
            }
            noise.WriteMacs(p, output, o, Message.InitiationMac1, now);
            ClientId.Write(output, o, p.ClientId);
            p.LastInitiationSent = now;
            Counters.Increment(TunnelCounter.InitiationsSent);
            OnHandshakeInitiated(p, now);
            OnAnyAuthenticatedPacketTraversal(p, now);
            OnAnyAuthenticatedPacketSent(p);
            return TunnelResult.Make(TunnelAction.WriteToNetwork, Message.InitiationSize, p.Number);
        }
    }
}
