using Warp.Protocol.Net;

namespace Warp.Protocol.WireGuard
{
    // Flow offload, the tunnel's half: the current keypair handed down to a native fast path
    // (hal/Esp32/native) and its state taken back. The tunnel stays the authority: it decides when
    // a keypair exists, is replaced or expires; the fast path only uses what it was given.
    public sealed partial class Tunnel
    {
        /// <summary>Bytes of an exported keypair before its replay window's words.</summary>
        public const int OffloadFixedBytes = 128;
        /// <summary>The encoding's version (hal/Esp32/native/core/wn_tunnel.h).</summary>
        public const byte OffloadVersion = 1;

        /// <summary>Bytes of an exported keypair with this tunnel's replay window: 128 + 8 per word.</summary>
        public int OffloadStateSize { get { return OffloadFixedBytes + config.ReplayWindowWords * 8; } }

        /// <summary>
        /// Encodes the peer's current keypair for the fast path (little-endian):
        /// <code>
        ///   0 version = 1   2 replay words (2)   4 local index   8 remote index   12 client id
        ///  16 next send counter (8)   24 send limit (8)   32 lifetime left, ms (8)   40 max packet size (4)
        ///  48 send key (32)   80 receive key (32)   112 replay window (16 + 8 per word, ReplayWindow.WriteState)
        /// </code>
        /// The send limit is RekeyAfterMessages: past it the fast path hands packets back and this
        /// tunnel rekeys. Returns the length written, or 0 when the peer has no usable session or the
        /// output is too small. While the keypair is offloaded the fast path owns its send counter and
        /// replay window: take them back with <see cref="ImportKeypairState"/> (or reserve a counter
        /// from the fast path) before this tunnel sends or receives on it again.
        /// </summary>
        public int ExportKeypair(int peer, long now, byte[] output, int offset)
        {
            if (peer < 0 || peer >= peerCount || !Bounds.Fits(output, offset, OffloadStateSize))
                return 0;
            Peer p = peers[peer];
            if (!p.HasSession(now))
                return 0;
            Keypair kp = p.Current;
            int words = kp.Replay.Words;
            System.Array.Clear(output, offset, OffloadFixedBytes);
            output[offset] = OffloadVersion;
            output[offset + 2] = (byte)words;
            output[offset + 3] = (byte)(words >> 8);
            Endian.Write32LE(output, offset + 4, kp.LocalIndex);
            Endian.Write32LE(output, offset + 8, kp.RemoteIndex);
            Endian.Write32LE(output, offset + 12, (uint)(p.ClientId & 0xFFFFFF));
            Endian.Write64LE(output, offset + 16, kp.SendCounter);
            Endian.Write64LE(output, offset + 24, Limits.RekeyAfterMessages);
            Endian.Write64LE(output, offset + 32, (ulong)(Limits.RejectAfterTime - kp.Age(now)));
            Endian.Write32LE(output, offset + 40, (uint)config.MaxPacketSize);
            System.Array.Copy(kp.SendKey, 0, output, offset + 48, 32);
            System.Array.Copy(kp.ReceiveKey, 0, output, offset + 80, 32);
            kp.Replay.WriteState(output, offset + 112);
            kp.Offloaded = true; // from now on every counter is reserved from the fast path (Tunnel.OffloadGuard.cs)
            return OffloadFixedBytes + words * 8;
        }

        /// <summary>
        /// Takes back the fast path's state of the peer's current keypair (its encoding, keys zero):
        /// the send counter moves forward to the fast path's (never back: a nonce is never reused)
        /// and the replay window becomes the fast path's, which saw every counter since the export.
        /// False, changing nothing, when the state is not the current keypair's.
        /// </summary>
        public bool ImportKeypairState(int peer, byte[] state, int offset, int length)
        {
            if (peer < 0 || peer >= peerCount || !Bounds.Fits(state, offset, length) || length != OffloadStateSize || state[offset] != OffloadVersion)
                return false;
            Keypair kp = peers[peer].Current;
            int words = state[offset + 2] | (state[offset + 3] << 8);
            if (!kp.Valid || words != kp.Replay.Words || Endian.Read32LE(state, offset + 4) != kp.LocalIndex
                || Endian.Read32LE(state, offset + 8) != kp.RemoteIndex)
                return false;
            ulong counter = Endian.Read64LE(state, offset + 16);
            if (counter > kp.SendCounter)
                kp.SendCounter = counter;
            kp.Replay.ReadState(state, offset + 112);
            return true;
        }

        /// <summary>
        /// The fast path carried data for the peer since the last report: the timers run as if this
        /// tunnel had (whitepaper section 6: data sent arms the new-handshake timer, data received the
        /// keepalive timer, anything authenticated received refreshes LastReceived), and the byte
        /// counts are added. Call it with the counts' differences, at <paramref name="now"/>.
        /// </summary>
        public void OnOffloadedTraffic(int peer, long now, long packetsSent, long bytesSent, long packetsReceived, long bytesReceived, long keepalivesReceived)
        {
            if (peer < 0 || peer >= peerCount)
                return;
            Peer p = peers[peer];
            if (packetsSent > 0)
            {
                p.BytesSent += bytesSent;
                OnDataSent(p, now);
                OnAnyAuthenticatedPacketSent(p);
                OnAnyAuthenticatedPacketTraversal(p, now);
                Keypair kp = p.Current;
                if (kp.IsInitiator && (kp.SendCounter >= Limits.RekeyAfterMessages || kp.Age(now) >= Limits.RekeyAfterTime))
                    p.WantHandshake = true;
            }
            if (packetsReceived > 0 || keepalivesReceived > 0)
            {
                p.BytesReceived += bytesReceived;
                OnAnyAuthenticatedPacketReceived(p, now);
                OnAnyAuthenticatedPacketTraversal(p, now);
                if (packetsReceived > 0)
                    OnDataReceived(p, now);
                Keypair kp = p.Current;
                if (kp.IsInitiator && kp.Age(now) >= Limits.RekeyOnReceiveAge)
                    p.WantHandshake = true;
            }
        }
    }
}
