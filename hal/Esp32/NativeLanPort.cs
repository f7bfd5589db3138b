using Warp.Native;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The household LAN: raw Ethernet frames of the SoftAP through our interop (the native ring
    /// filled by esp_wifi_internal_reg_rxcb, frames sent with esp_wifi_internal_tx). Nothing here
    /// allocates or throws.
    /// </summary>
    public sealed class NativeLanPort : ILanPort
    {
        readonly byte[] mac = new byte[6];

        /// <param name="routerMac">The router's MAC on the LAN (from the configuration's key), as the composition derives it.</param>
        public NativeLanPort(byte[] routerMac)
        {
            for (int i = 0; i < 6; i++)
                mac[i] = routerMac[i];
        }

        /// <summary>Starts the native ring of <paramref name="ringFrames"/> frames; false when the SoftAP is not up.</summary>
        public bool Start(int ringFrames) { return Interop.LanStart(ringFrames); }

        public void GetMacAddress(byte[] mac, int offset)
        {
            for (int i = 0; i < 6; i++)
                mac[offset + i] = this.mac[i];
        }

        public int Receive(byte[] buffer, int offset, int count) { return Interop.LanReceive(buffer, offset, count); }

        public bool Send(byte[] buffer, int offset, int count) { return Interop.LanSend(buffer, offset, count); }
    }
}
