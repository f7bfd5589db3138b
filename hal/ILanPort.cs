namespace Warp.Hal
{
    /// <summary>
    /// The LAN side: raw Ethernet frames to and from the household's devices. On the ESP32 the
    /// SoftAP through our interop (esp_wifi_internal_reg_rxcb / esp_wifi_internal_tx); on Linux a
    /// TAP device or an existing interface through an AF_PACKET socket.
    /// Neither call blocks, throws on I/O trouble, or allocates.
    /// </summary>
    public interface ILanPort
    {
        /// <summary>The router's own MAC address on the LAN (6 bytes).</summary>
        void GetMacAddress(byte[] mac, int offset);

        /// <summary>
        /// Copies the next waiting frame to (buffer, offset) and returns its length, or 0 when none
        /// is waiting. A frame longer than <paramref name="count"/> is cut to its first count bytes
        /// and its real length returned, so the caller can tell (and answer "too big").
        /// </summary>
        int Receive(byte[] buffer, int offset, int count);

        /// <summary>Sends one frame. False when the port could not take it (the caller counts the drop).</summary>
        bool Send(byte[] buffer, int offset, int count);
    }
}
