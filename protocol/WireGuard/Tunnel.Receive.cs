using Warp.Protocol.Net;

namespace Warp.Protocol.WireGuard
{
    // Receiving: datagrams from the uplink, by message type; cookie replies when under load; roaming.
    public sealed partial class Tunnel
    {
        /// <summary>
        /// Processes a datagram from <paramref name="source"/>. Handshake messages may produce a
        /// reply for the source (WriteToNetwork); data produces an IP packet (WriteToLan) at
        /// (output, outputOffset), which needs the datagram's length. The datagram's reserved
        /// bytes are cleared in place. A response that completes our handshake gives
        /// HandshakeComplete. Run <see cref="Tick"/> afterwards: a completed handshake leaves
        /// staged packets or a keepalive to send.
        /// </summary>
        public TunnelResult Decapsulate(Endpoint source, byte[] datagram, int offset, int length, byte[] output, int outputOffset, long now)
        {
            byte type = Message.ClearReservedAndReadType(datagram, offset, length);
            if (type == 0 && length < 4)
                return Drop(TunnelCounter.DropTruncated, -1);
            int expected = Message.ExpectedSize(type);
            if (expected < 0)
                return Drop(TunnelCounter.DropUnknownType, -1);
            if (expected > 0 && length != expected)
                return Drop(length < expected ? TunnelCounter.DropTruncated : TunnelCounter.DropWrongSize, -1);
            switch (type)
            {
                case Message.TypeInitiation:
                    return HandleInitiation(source, datagram, offset, output, outputOffset, now);
                case Message.TypeResponse:
                    return HandleResponse(source, datagram, offset, output, outputOffset, now);
                case Message.TypeCookieReply:
                    return HandleCookieReply(datagram, offset, now);
                default:
                    return HandleData(source, datagram, offset, length, output, outputOffset, now);
            }
        }

        TunnelResult HandleInitiation(Endpoint source, byte[] msg, int o, byte[] output, int r, long now)
        {
            if (!noise.VerifyMac1(msg, o, Message.InitiationMac1))
                return Drop(TunnelCounter.DropBadMac1, -1);
            if (cookies.CountAndCheckLoad(now) && !noise.VerifyMac2(msg, o, Message.InitiationMac2, cookies, source, now, entropy))
                return CookieReply(source, msg, o, Message.InitiationMac1, output, r, now, PeerAt(source));
            if (!Bounds.Fits(output, r, Message.ResponseSize))
                return Drop(TunnelCounter.DropOutputTooSmall, -1);
            TunnelCounter reason;
            uint replaced;
            int peer = noise.ConsumeInitiation(msg, o, peers, peerCount, now, out reason, out replaced);
            if (peer < 0)
                return Drop(reason, -1);
            indices.Remove(replaced);
            Peer p = peers[peer];
            Roam(p, source);
            // The new session goes to "next": we may not send on it until the initiator confirms it with data.
            uint index = NewIndex(peer);
            RetireIndex(p.Next);
            if (!noise.CreateResponse(p, index, entropy, p.Next, now, output, r))
            {
                indices.Remove(index);
                return Drop(TunnelCounter.DropInitiationUndecryptable, peer);
            }
            noise.WriteMacs(p, output, r, Message.ResponseMac1, now);
            ClientId.Write(output, r, p.ClientId);
            Counters.Increment(TunnelCounter.ResponsesSent);
            OnSessionDerived(p, now);
            OnAnyAuthenticatedPacketReceived(p, now);
            OnAnyAuthenticatedPacketTraversal(p, now);
            OnAnyAuthenticatedPacketSent(p);
            return TunnelResult.Make(TunnelAction.WriteToNetwork, Message.ResponseSize, peer);
        }

        TunnelResult HandleResponse(Endpoint source, byte[] msg, int o, byte[] output, int r, long now)
        {
            if (!noise.VerifyMac1(msg, o, Message.ResponseMac1))
                return Drop(TunnelCounter.DropBadMac1, -1);
            uint receiver = Endian.Read32LE(msg, o + Message.ResponseReceiver);
            int peer = indices.Find(receiver);
            if (cookies.CountAndCheckLoad(now) && !noise.VerifyMac2(msg, o, Message.ResponseMac2, cookies, source, now, entropy))
                return CookieReply(source, msg, o, Message.ResponseMac1, output, r, now, peer);
            if (peer < 0)
                return Drop(TunnelCounter.DropResponseUnknownIndex, -1);
            Peer p = peers[peer];
            if (p.Handshake.Stage != HandshakeStage.InitiationCreated || p.Handshake.LocalIndex != receiver)
                return Drop(TunnelCounter.DropResponseUnexpected, peer);
            // Derive into the spare keypair ("previous" is the oldest), then rotate: previous <- current <- new.
            Keypair fresh = p.Previous;
            uint oldIndex = fresh.LocalIndex;
            bool wasValid = fresh.Valid;
            if (!noise.ConsumeResponse(p, msg, o, fresh, now))
            {
                if (!wasValid)
                    fresh.Clear();
                return Drop(TunnelCounter.DropResponseUndecryptable, peer);
            }
            if (wasValid)
                indices.Remove(oldIndex);
            p.Previous = p.Current;
            p.Current = fresh;
            RetireIndex(p.Next);
            p.Next.Clear();
            Roam(p, source);
            Counters.Increment(TunnelCounter.HandshakesCompleted);
            OnHandshakeComplete(p, now);
            OnSessionDerived(p, now);
            OnAnyAuthenticatedPacketReceived(p, now);
            OnAnyAuthenticatedPacketTraversal(p, now);
            // The initiator must speak first on the new session (key confirmation): staged data, or a keepalive.
            if (p.StagedCount == 0)
                p.SendKeepaliveNow = true;
            return TunnelResult.Make(TunnelAction.HandshakeComplete, 0, peer);
        }

        TunnelResult HandleCookieReply(byte[] msg, int o, long now)
        {
            uint receiver = Endian.Read32LE(msg, o + Message.CookieReceiver);
            int peer = indices.Find(receiver);
            if (peer < 0)
                return Drop(TunnelCounter.DropCookieUnknownIndex, -1);
            if (!noise.ConsumeCookieReply(peers[peer], msg, o, now))
                return Drop(TunnelCounter.DropCookieUndecryptable, peer);
            Counters.Increment(TunnelCounter.CookiesReceived);
            // Whitepaper 5.3: no immediate retry; the retransmission timer sends the next initiation, with mac2.
            return TunnelResult.Make(TunnelAction.Done, 0, peer);
        }

        TunnelResult HandleData(Endpoint source, byte[] msg, int o, int length, byte[] output, int r, long now)
        {
            if (length < Message.DataMinSize)
                return Drop(TunnelCounter.DropTruncated, -1);
            uint receiver = Endian.Read32LE(msg, o + Message.DataReceiver);
            int peer = indices.Find(receiver);
            if (peer < 0)
                return Drop(TunnelCounter.DropDataUnknownIndex, -1);
            Peer p = peers[peer];
            Keypair kp = p.KeypairFor(receiver);
            if (kp == null || kp.Age(now) >= Limits.RejectAfterTime)
                return Drop(TunnelCounter.DropDataExpiredKeypair, peer);
            ulong counter = Endian.Read64LE(msg, o + Message.DataCounter);
            if (!kp.Replay.MayAccept(counter))
                return Drop(TunnelCounter.DropDataReplayed, peer);
            int plain = length - Message.DataMinSize;
            if (!Bounds.Fits(output, r, plain))
                return Drop(TunnelCounter.DropOutputTooSmall, peer);
            if (!crypto.AeadOpen(kp.ReceiveKey, 0, counter, null, 0, 0, msg, o + Message.DataPayload, plain + Message.TagSize, output, r))
                return Drop(TunnelCounter.DropDataUndecryptable, peer);
            if (!kp.Replay.Accept(counter))
                return Drop(TunnelCounter.DropDataReplayed, peer);

            // Authenticated.
            p.BytesReceived += length;
            Roam(p, source);
            if (kp == p.Next)
            {
                // The initiator used the session we answered: it is confirmed (whitepaper 5.4.6).
                Keypair oldPrevious = p.Previous;
                RetireIndex(oldPrevious);
                oldPrevious.Clear();
                p.Previous = p.Current;
                p.Current = p.Next;
                p.Next = oldPrevious;
                Counters.Increment(TunnelCounter.HandshakesCompleted);
                OnHandshakeComplete(p, now);
            }
            OnAnyAuthenticatedPacketReceived(p, now);
            OnAnyAuthenticatedPacketTraversal(p, now);
            // Keep the key fresh (whitepaper 6.2): the initiator rekeys when receiving on an old session.
            if (kp == p.Current && kp.IsInitiator && kp.Age(now) >= Limits.RekeyOnReceiveAge)
                p.WantHandshake = true;
            if (plain == 0)
            {
                Counters.Increment(TunnelCounter.KeepalivesReceived);
                return TunnelResult.Make(TunnelAction.Done, 0, peer);
            }
            OnDataReceived(p, now);
            int inner = InnerPacketLength(output, r, plain);
            if (inner < 0)
                return Drop(TunnelCounter.DropDataBadInnerPacket, peer);
            Counters.Increment(TunnelCounter.DataPacketsReceived);
            return TunnelResult.Make(TunnelAction.WriteToLan, inner, peer);
        }

        /// <summary>The IP packet's own length (the rest is padding), or -1 when the plaintext is not an IP packet that fits.</summary>
        static int InnerPacketLength(byte[] b, int o, int plain)
        {
            int version = b[o] >> 4;
            int len;
            if (version == 4 && plain >= Ipv4Packet.MinHeaderLength)
                len = Endian.Read16(b, o + 2);
            else if (version == 6 && plain >= Ipv6Packet.HeaderLength)
                len = Ipv6Packet.HeaderLength + Endian.Read16(b, o + 4);
            else
                return -1;
            return len <= plain && len >= (version == 4 ? Ipv4Packet.MinHeaderLength : Ipv6Packet.HeaderLength) ? len : -1;
        }

        TunnelResult CookieReply(Endpoint source, byte[] msg, int o, int mac1Offset, byte[] output, int r, long now, int peer)
        {
            if (!Bounds.Fits(output, r, Message.CookieReplySize))
                return Drop(TunnelCounter.DropOutputTooSmall, peer);
            noise.CreateCookieReply(msg, o, mac1Offset, cookies, source, now, entropy, output, r);
            // The peer is known for a response (by index) or by its endpoint; a router with a single
            // peer (the WARP edge) answers with that peer's client id.
            if (peer < 0 && peerCount == 1)
                peer = 0;
            if (peer >= 0)
                ClientId.Write(output, r, peers[peer].ClientId);
            Counters.Increment(TunnelCounter.CookieRepliesSent);
            return TunnelResult.Make(TunnelAction.WriteToNetwork, Message.CookieReplySize, peer);
        }

        /// <summary>The peer whose endpoint is <paramref name="source"/> (to address a cookie reply with its client id), or -1.</summary>
        int PeerAt(Endpoint source)
        {
            for (int i = 0; i < peerCount; i++)
                if (peers[i].Endpoint.SameAs(source))
                    return i;
            return -1;
        }

        /// <summary>Roaming (whitepaper 2.1): the endpoint follows the source of the latest authenticated packet.</summary>
        void Roam(Peer p, Endpoint source)
        {
            if (source == null || !source.IsSet || p.Endpoint.SameAs(source))
                return;
            p.Endpoint.CopyFrom(source);
            Counters.Increment(TunnelCounter.EndpointChanges);
        }
    }
}
