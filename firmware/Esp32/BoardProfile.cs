namespace Warp.Router.Esp32
{
    /// <summary>
    /// One supported board, as boards/&lt;name&gt;.json describes it: the nanoff target, memory, the
    /// managed-heap budget, the router's table sizes, the pins and the uplinks. The device program
    /// gets its profile compiled in (<see cref="Boards"/>, generated from boards/*.json by
    /// build/gen_boards.py; a test holds the two equal): nanoFramework's mscorlib has no JSON
    /// reader, and a table compiled into the program costs no heap at boot and cannot be missing
    /// from flash. PowerShell (flash.ps1) and the tests read the JSON itself.
    /// </summary>
    public sealed class BoardProfile
    {
        /// <summary>The profile's name, the JSON file's name without extension ("esp32-devkitc").</summary>
        public string Id;
        /// <summary>The board as sold ("ESP32-DevKitC V4 (ESP32-WROOM-32E)").</summary>
        public string Name;
        /// <summary>The nanoFramework target (nanoff --target, SystemInfo.TargetName).</summary>
        public string Target;
        public int FlashMegabytes;
        public int PsramMegabytes;
        /// <summary>Managed heap the firmware gives the program, in bytes (the profile's "heap.budget").</summary>
        public int HeapBudget;
        /// <summary>Heap the runtime, the program's own objects and the sockets need beside the router's tables.</summary>
        public int AllowanceRuntime, AllowanceProgram, AllowanceSockets;
        /// <summary>Every table size of the router on this board.</summary>
        public Warp.Firmware.RouterSizes Sizes;
        /// <summary>The status light's GPIO (-1: none) and whether it lights on low.</summary>
        public int LightPin = -1;
        public bool LightActiveLow;
        /// <summary>The factory-reset button's GPIO (-1: none) and whether pressed reads low.</summary>
        public int ButtonPin = -1;
        public bool ButtonActiveLow = true;
        /// <summary>The serial console's UART pins (COM2).</summary>
        public int ConsoleTxPin = -1, ConsoleRxPin = -1;
        /// <summary>The uplinks the board has: the Wi-Fi station, Ethernet (through its PHY).</summary>
        public bool WifiUplink, EthernetUplink;
        /// <summary>The Ethernet PHY ("LAN8720 addr 1, MDC 23, MDIO 18, power 16, clock in 0"); null without one.</summary>
        public string EthernetPhy;
        /// <summary>The firmware for this target has IPv6 (lwIP built with it).</summary>
        public bool Ipv6;
        /// <summary>SoftAP frames the native ring holds between polls.</summary>
        public int LanRingFrames = 8;

        /// <summary>The sum of the allowances.</summary>
        public int Allowance { get { return AllowanceRuntime + AllowanceProgram + AllowanceSockets; } }
    }
}
