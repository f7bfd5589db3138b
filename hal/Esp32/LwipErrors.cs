namespace Warp.Hal.Esp32
{
    /// <summary>
    /// lwIP's errors as nanoFramework reports them (SocketException.ErrorCode, the Winsock numbers
    /// of System.Net.Sockets.SocketError) mapped to the uplink's send results. nanoFramework's
    /// lwIP layer (src/PAL/Lwip/lwIP_Sockets.cpp) maps both ENOBUFS and ENOMEM to WSAENOBUFS, so
    /// an lwIP pbuf shortage is "no buffers" here, and the router reconnects the socket as WARP does.
    /// </summary>
    public static class LwipErrors
    {
        public const int WouldBlock = 10035;        // WSAEWOULDBLOCK (EAGAIN)
        public const int MessageSize = 10040;       // WSAEMSGSIZE
        public const int AddressFamilyNotSupported = 10047; // WSAEAFNOSUPPORT
        public const int AddressNotAvailable = 10049;       // WSAEADDRNOTAVAIL
        public const int NetworkDown = 10050;       // WSAENETDOWN
        public const int NetworkUnreachable = 10051;        // WSAENETUNREACH
        public const int NoBufferSpace = 10055;     // WSAENOBUFS (lwIP ENOBUFS and ENOMEM)
        public const int TimedOut = 10060;          // WSAETIMEDOUT
        public const int HostUnreachable = 10065;   // WSAEHOSTUNREACH

        /// <summary>The send result for a SocketException's error code.</summary>
        public static UplinkSendResult ToSendResult(int errorCode)
        {
            switch (errorCode)
            {
                case WouldBlock:
                case TimedOut: return UplinkSendResult.WouldBlock;
                case NoBufferSpace: return UplinkSendResult.NoBuffers;
                case NetworkUnreachable:
                case HostUnreachable: return UplinkSendResult.NoRoute;
                case AddressFamilyNotSupported:
                case AddressNotAvailable:
                case NetworkDown: return UplinkSendResult.FamilyDown;
                default: return UplinkSendResult.Failed;
            }
        }
    }
}
