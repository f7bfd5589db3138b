using System.Threading;
using nanoFramework.Runtime.Events;
using nanoFramework.Runtime.Native;
using Warp.Native;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The device's clock, wait, watchdog, heap figure and reboot. <see cref="Wait"/> sleeps on an
    /// event that our native component raises when a SoftAP frame is queued (a NativeEventDispatcher
    /// on <see cref="Interop.EventDriver"/>); the uplink sockets have no such event in
    /// nanoFramework, so the wait is cut into slices of <see cref="UplinkSliceMs"/> between which
    /// the uplink is asked whether a datagram is waiting.
    /// </summary>
    public sealed class Esp32System : IDeviceSystem
    {
        /// <summary>Longest a datagram from the peer waits for the loop while the device is idle.</summary>
        public const int UplinkSliceMs = 5;

        readonly AutoResetEvent wake = new AutoResetEvent(false);
        readonly NativeEventDispatcher events;

        /// <summary>The uplink whose sockets <see cref="Wait"/> watches; set once it is open.</summary>
        public SocketUplink Uplink;

        public Esp32System()
        {
            events = new NativeEventDispatcher(Interop.EventDriver, 0);
            events.OnInterrupt += OnNativeEvent;
            events.EnableInterrupt();
        }

        void OnNativeEvent(uint data1, uint data2, System.DateTime time) { wake.Set(); }

        public long Now { get { return System.Environment.TickCount64; } }

        public void Wait(int milliseconds)
        {
            long end = Now + milliseconds;
            while (true)
            {
                if (Uplink != null && Uplink.DataWaiting)
                    return;
                long left = end - Now;
                if (left <= 0)
                    return;
                if (wake.WaitOne(left < UplinkSliceMs ? (int)left : UplinkSliceMs, false))
                    return;
            }
        }

        public bool StartWatchdog(int timeoutMs) { return Interop.WatchdogStart(timeoutMs); }

        public void FeedWatchdog() { Interop.WatchdogFeed(); }

        public long FreeHeap() { return nanoFramework.Runtime.Native.GC.Run(false); }

        public void Reboot() { Power.RebootDevice(); }
    }
}
