// CONTRACT, never shipped: mirrors the public signatures of nanoFramework.System.Net 1.11.60 that
// hal/Esp32 calls. Bodies throw; the device runs the real assembly from the package.
namespace System.Net
{
    public abstract class EndPoint
    {
    }

    public class IPAddress
    {
        public static readonly IPAddress Any = null;
        public static readonly IPAddress IPv6Any = null;
        public IPAddress(long newAddress) { throw new NotImplementedException(); }
        public IPAddress(byte[] address) { throw new NotImplementedException(); }
        public System.Net.Sockets.AddressFamily AddressFamily { get { throw new NotImplementedException(); } }
        public byte[] GetAddressBytes() { throw new NotImplementedException(); }
        public static IPAddress Parse(string ipString) { throw new NotImplementedException(); }
    }

    public class IPEndPoint : EndPoint
    {
        public IPEndPoint(long address, int port) { throw new NotImplementedException(); }
        public IPEndPoint(IPAddress address, int port) { throw new NotImplementedException(); }
        public IPAddress Address { get { throw new NotImplementedException(); } }
        public int Port { get { throw new NotImplementedException(); } }
    }

    public class IPHostEntry
    {
        public IPAddress[] AddressList { get { throw new NotImplementedException(); } }
    }

    public static class Dns
    {
        public static IPHostEntry GetHostEntry(string hostNameOrAddress) { throw new NotImplementedException(); }
    }
}

namespace System.Net.Sockets
{
    public enum AddressFamily
    {
        Unknown = -1,
        Unspecified = 0,
        InterNetwork = 2,
        InterNetworkV6 = 23,
    }

    public enum SocketType
    {
        Stream = 1,
        Dgram = 2,
    }

    public enum ProtocolType
    {
        Tcp = 6,
        Udp = 17,
    }

    [Flags]
    public enum SocketFlags
    {
        None = 0x0000,
    }

    public enum SelectMode
    {
        SelectRead = 0,
        SelectWrite = 1,
        SelectError = 2
    }

    public enum SocketError : int
    {
        Success = 0,
        SocketError = (-1),
        WouldBlock = (10000 + 35),
        MessageSize = (10000 + 40),
        AddressFamilyNotSupported = (10000 + 47),
        AddressNotAvailable = (10000 + 49),
        NetworkDown = (10000 + 50),
        NetworkUnreachable = (10000 + 51),
        NoBufferSpaceAvailable = (10000 + 55),
        TimedOut = (10000 + 60),
        HostUnreachable = (10000 + 65),
    }

    public class SocketException : Exception
    {
        public SocketException(SocketError errorCode) { throw new NotImplementedException(); }
        public int ErrorCode { get { throw new NotImplementedException(); } }
    }

    public class Socket : IDisposable
    {
        public Socket(AddressFamily addressFamily, SocketType socketType, ProtocolType protocolType) { throw new NotImplementedException(); }
        public int Available { get { throw new NotImplementedException(); } }
        public void Bind(EndPoint localEP) { throw new NotImplementedException(); }
        public void Close() { throw new NotImplementedException(); }
        public int SendTo(byte[] buffer, int offset, int size, SocketFlags socketFlags, EndPoint remoteEP) { throw new NotImplementedException(); }
        public int ReceiveFrom(byte[] buffer, int offset, int size, SocketFlags socketFlags, ref EndPoint remoteEP) { throw new NotImplementedException(); }
        public bool Poll(int microSeconds, SelectMode mode) { throw new NotImplementedException(); }
        public void Connect(EndPoint remoteEP) { throw new NotImplementedException(); }
        public int Send(byte[] buffer, int offset, int size, SocketFlags socketFlags) { throw new NotImplementedException(); }
        public int Receive(byte[] buffer, int offset, int size, SocketFlags socketFlags) { throw new NotImplementedException(); }
        public int ReceiveTimeout { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public int SendTimeout { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public void Dispose() { throw new NotImplementedException(); }
    }
}

namespace System.Net.NetworkInformation
{
    public class NetworkAvailabilityEventArgs : EventArgs
    {
        public bool IsAvailable { get { throw new NotImplementedException(); } }
    }

    public delegate void NetworkAddressChangedEventHandler(object sender, EventArgs e);
    public delegate void NetworkAvailabilityChangedEventHandler(object sender, NetworkAvailabilityEventArgs e);

    public static class NetworkChange
    {
        public static event NetworkAddressChangedEventHandler NetworkAddressChanged;
        public static event NetworkAvailabilityChangedEventHandler NetworkAvailabilityChanged;
    }

    public enum NetworkInterfaceType
    {
        Unknown = 1,
        Ethernet = 6,
        Wireless80211 = 71,
        WirelessAP = 72,
    }

    public class NetworkInterface
    {
        protected NetworkInterface(int interfaceIndex) { throw new NotImplementedException(); }
        public static NetworkInterface[] GetAllNetworkInterfaces() { throw new NotImplementedException(); }
        public void EnableDhcp() { throw new NotImplementedException(); }
        public string IPv4Address { get { throw new NotImplementedException(); } }
        public byte[] PhysicalAddress { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public NetworkInterfaceType NetworkInterfaceType { get { throw new NotImplementedException(); } }
    }

    public enum AuthenticationType : byte
    {
        None = 0,
        EAP,
        PEAP,
        WCN,
        Open,
        Shared,
        WEP,
        WPA,
        WPA2,
    }

    public enum EncryptionType : byte
    {
        None = 0,
        WEP,
        WPA,
        WPA2,
        Certificate,
    }

    public class WirelessAPConfiguration
    {
        [Flags]
        public enum ConfigurationOptions : byte
        {
            None = 0,
            Disable = 0x01,
            Enable = 0x02,
            AutoStart = 0x04 | Enable,
            HiddenSSID = 0x08,
        }

        public WirelessAPConfiguration(uint id) { throw new NotImplementedException(); }
        public AuthenticationType Authentication { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public EncryptionType Encryption { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public string Password { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public string Ssid { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public ConfigurationOptions Options { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public byte Channel { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public byte MaxConnections { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public void SaveConfiguration() { throw new NotImplementedException(); }
        public static WirelessAPConfiguration[] GetAllWirelessAPConfigurations() { throw new NotImplementedException(); }
    }
}
