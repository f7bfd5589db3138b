using System;
using System.Collections.Generic;
using Warp.Hal;
using Warp.Hal.Esp32;
using Warp.Router.Esp32;
using Warp.TestKit;

namespace Warp.Esp32.Tests
{
    /// <summary>The device on a fake clock: Wait advances it; the watchdog and reboots are counted.</summary>
    sealed class FakeSystem : IDeviceSystem
    {
        public long Clock = 1000;
        public int WatchdogFeeds, Reboots;
        public int WatchdogTimeout = -1;
        public long Now { get { return Clock; } }
        public void Wait(int milliseconds) { Clock += Math.Max(1, milliseconds); }
        public bool StartWatchdog(int timeoutMs) { WatchdogTimeout = timeoutMs; return true; }
        public void FeedWatchdog() { WatchdogFeeds++; }
        public long FreeHeap() { return 42000; }
        public void Reboot() { Reboots++; }
    }

    /// <summary>The serial console in memory: lines typed, lines written.</summary>
    sealed class MemoryConsole : IConsolePort
    {
        public readonly Queue<string> Typed = new Queue<string>();
        public readonly List<string> Written = new List<string>();
        public string ReadLine() { return Typed.Count > 0 ? Typed.Dequeue() : null; }
        public void WriteLine(string line) { Written.Add(line); }
        public string Text { get { return string.Join("\n", Written); } }
    }

    /// <summary>The SoftAP configuration block in memory.</summary>
    sealed class MemoryAccessPoint : IAccessPoint
    {
        public string Ssid, Password;
        public int Channel;
        public int Saves;
        public bool Read(out string ssid, out string password, out int channel)
        {
            ssid = Ssid; password = Password; channel = Channel;
            return Ssid != null;
        }
        public bool Save(string ssid, string password, int channel)
        {
            Ssid = ssid; Password = password; Channel = channel; Saves++;
            return true;
        }
    }

    /// <summary>A station whose joins answer as scripted per SSID (NotFound for the rest).</summary>
    sealed class ScriptedStation : IWifiStation
    {
        public readonly Dictionary<string, JoinResult> Results = new Dictionary<string, JoinResult>();
        public readonly List<string> Attempts = new List<string>();
        public readonly List<string> Passwords = new List<string>();
        public bool Scanned;
        public JoinResult Join(string ssid, string password)
        {
            Attempts.Add(ssid);
            Passwords.Add(password);
            return Results.TryGetValue(ssid, out var r) ? r : JoinResult.NotFound;
        }
        public void Leave() { }
        public void StartScan() { Scanned = true; }
        public bool ScanComplete { get { return Scanned; } }
        public int ScanResults(string[] ssids, int[] rssi)
        {
            int n = 0;
            foreach (var s in Results.Keys) { if (n == ssids.Length) break; ssids[n] = s; rssi[n] = -40 - 5 * n; n++; }
            return n;
        }
    }

    /// <summary>Hands out the in-memory LAN port and uplink, and remembers the MAC and port asked for.</summary>
    sealed class MemoryFactory : IPortFactory
    {
        public readonly MemoryLan Lan = new MemoryLan();
        public readonly MemoryUplink Uplink = new MemoryUplink();
        public byte[] Mac;
        public int ListenPort = -1;
        public ILanPort OpenLan(byte[] routerMac)
        {
            Mac = routerMac;
            Array.Copy(routerMac, Lan.Mac, 6);
            return Lan;
        }
        public IUplink OpenUplink(int listenPort) { ListenPort = listenPort; return Uplink; }
    }
}
