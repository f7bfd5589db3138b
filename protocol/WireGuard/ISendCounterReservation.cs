namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Where a tunnel takes send counters for a keypair it has handed to a fast path: the fast path
    /// owns that keypair's counter, so the tunnel reserves each one it uses from there
    /// (hal's IFastPath adapters implement it over the native take-send-counter call).
    /// </summary>
    public interface ISendCounterReservation
    {
        /// <summary>
        /// Reserves the next send counter of the offloaded keypair whose local index is
        /// <paramref name="localIndex"/>; ulong.MaxValue when the fast path does not hold that keypair.
        /// </summary>
        ulong ReserveSendCounter(int peer, uint localIndex);
    }
}
