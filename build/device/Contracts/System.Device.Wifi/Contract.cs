// CONTRACT, never shipped: mirrors the public signatures of nanoFramework.System.Device.Wifi 1.5.149
// that hal/Esp32 calls. Bodies throw; the device runs the real assembly from the package.
namespace System.Device.Wifi
{
    public delegate void AvailableNetworksChangedEventHandler(WifiAdapter sender, Object e);

    public enum WifiConnectionStatus
    {
        AccessRevoked,
        InvalidCredential,
        NetworkNotAvailable,
        Success,
        Timeout,
        UnspecifiedFailure,
        UnsupportedAuthenticationProtocol
    }

    public enum WifiReconnectionKind
    {
        Automatic,
        Manual
    }

    public class WifiConnectionResult
    {
        public WifiConnectionStatus ConnectionStatus { get { throw new NotImplementedException(); } }
    }

    public class WifiAvailableNetwork
    {
        public string Ssid { get { throw new NotImplementedException(); } }
        public double NetworkRssiInDecibelMilliwatts { get { throw new NotImplementedException(); } }
    }

    public class WifiNetworkReport
    {
        public WifiAvailableNetwork[] AvailableNetworks { get { throw new NotImplementedException(); } }
    }

    public sealed class WifiAdapter : IDisposable
    {
        public event AvailableNetworksChangedEventHandler AvailableNetworksChanged;
        public WifiNetworkReport NetworkReport { get { throw new NotImplementedException(); } }
        public WifiConnectionResult Connect(string ssid, WifiReconnectionKind reconnectionKind, string passwordCredential) { throw new NotImplementedException(); }
        public void Disconnect() { throw new NotImplementedException(); }
        public static WifiAdapter[] FindAllAdapters() { throw new NotImplementedException(); }
        public void ScanAsync() { throw new NotImplementedException(); }
        public void Dispose() { throw new NotImplementedException(); }
    }
}
