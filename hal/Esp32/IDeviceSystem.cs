namespace Warp.Hal.Esp32
{
    /// <summary>The device itself: its monotonic clock, the wait between polls, the watchdog, memory and reboot.</summary>
    public interface IDeviceSystem
    {
        /// <summary>Milliseconds since boot, monotonic.</summary>
        long Now { get; }

        /// <summary>Sleeps until a LAN frame or an uplink datagram arrives, or <paramref name="milliseconds"/> pass.</summary>
        void Wait(int milliseconds);

        /// <summary>Starts the watchdog: the device restarts when <see cref="FeedWatchdog"/> is not called within <paramref name="timeoutMs"/>. False when there is none.</summary>
        bool StartWatchdog(int timeoutMs);

        /// <summary>Tells the watchdog the loop is alive.</summary>
        void FeedWatchdog();

        /// <summary>Free bytes of managed heap after a collection (a figure for the console; -1 when unknown).</summary>
        long FreeHeap();

        /// <summary>Restarts the device (applies a new SoftAP configuration or a factory reset). Does not return on the device.</summary>
        void Reboot();
    }
}
