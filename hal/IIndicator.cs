namespace Warp.Hal
{
    /// <summary>What the router shows on its status light; each board maps it to colours or blink patterns.</summary>
    public enum IndicatorState
    {
        /// <summary>Booting: the configuration is being read.</summary>
        Starting = 0,
        /// <summary>No uplink address in any family (not joined to the hotel network).</summary>
        NoUplink,
        /// <summary>An uplink, but the tunnel has no session yet (handshaking).</summary>
        Connecting,
        /// <summary>The tunnel is up: LAN traffic flows.</summary>
        Connected,
        /// <summary>Not usable: no valid configuration, or the handshake was given up.</summary>
        Error,
        /// <summary>The button has been held long enough: releasing it now erases the stored state.</summary>
        ResetArmed,
    }

    /// <summary>A status light (an RGB LED, a single LED, or a log line on Linux).</summary>
    public interface IIndicator
    {
        /// <summary>Shows <paramref name="state"/>; called only when the state changes. Never blocks.</summary>
        void Show(IndicatorState state);
    }

    /// <summary>A push button (BOOT or a dedicated reset button), read by polling.</summary>
    public interface IButton
    {
        /// <summary>True while the button is held down.</summary>
        bool IsPressed { get; }
    }
}
