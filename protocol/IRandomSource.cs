namespace Warp.Protocol
{
    /// <summary>
    /// A source of random 32-bit values, passed in to every part of protocol/ that needs
    /// randomness, so nothing here reads an entropy source by itself (DESIGN.md, "Sans-I/O core").
    ///
    /// Users:
    /// <list type="bullet">
    ///   <item>the NAT's external port choice (RFC 6056 section 3.3.1, Algorithm 1, "Simple
    ///     Port Randomization": a random start in the ephemeral range, then a linear search for a
    ///     port that is free), and the secret keys of its hash indexes, so an outside host cannot
    ///     predict which ports collide in the table;</item>
    ///   <item>the WireGuard tunnel: handshake ephemeral keys, sender indexes, cookie secrets
    ///     and the timers' jitter;</item>
    ///   <item>the LAN services: DHCP address choice, the RA schedule's jitter, the ULA global id.</item>
    /// </list>
    ///
    /// On the device the implementation reads the ESP32 hardware RNG (hal/Esp32); on Linux it
    /// wraps the operating system's CSPRNG. Tests pass a seeded generator so that every run can be
    /// reproduced exactly. Calls happen off the hot path only when a new flow is set up, and an
    /// implementation must not allocate.
    /// </summary>
    public interface IRandomSource
    {
        /// <summary>
        /// Returns a uniformly distributed 32-bit value. Implementations must not throw and
        /// must not allocate: the NAT calls this on the packet path when it sets up a flow.
        /// </summary>
        uint NextUInt32();
    }
}

namespace Warp.Protocol
{
    /// <summary>Random bytes from an <see cref="IRandomSource"/>: keys, nonces and indices.</summary>
    public static class RandomBytes
    {
        /// <summary>Fills (buffer, offset, length) with random bytes, four per call of the source.</summary>
        public static void Fill(IRandomSource random, byte[] buffer, int offset, int length)
        {
            int end = offset + length;
            while (offset < end)
            {
                uint v = random.NextUInt32();
                for (int i = 0; i < 4 && offset < end; i++)
                {
                    buffer[offset++] = (byte)v;
                    v >>= 8;
                }
            }
        }
    }
}
