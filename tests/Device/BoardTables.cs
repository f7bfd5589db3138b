// The supported boards' table sizes, heap budgets and allowances, as firmware/Esp32/Boards.cs has them
// (generated there from boards/*.json). The test assembly cannot reference the device program, so
// the numbers are repeated here; tests/DeviceRunner --self-check fails when they differ from Boards.cs.
using Warp.Firmware;

namespace Warp.Device.Tests
{
    public static class BoardTables
    {
        static RouterSizes Esp32C3()
        {
            var s = new RouterSizes();
            s.DhcpLeases = 16;
            s.Ipv4Neighbors = 16;
            s.Ipv6Neighbors = 24;
            s.NatEntries = 424;
            s.NatHosts = 32;
            s.ReplayWindowWords = 16;
            s.StagedPackets = 1;
            s.PacketBuffer = 1344;
            s.HeldReplies = 1;
            s.ConsoleLine = 128;
            s.Paths = 4;
            s.Devices = 20;
            s.Ipv6Bindings = 40;
            s.NatReservePerDevice = 12;
            s.FragmentDatagrams = 2;
            s.FragmentHoldSlots = 0;
            s.NatRemoteV6Addresses = false;
            s.EventLog = 16;
            s.FastPathFlows = 16;
            s.WebConnections = 0;
            s.WebReceiveBuffer = 1536;
            s.WebSendBuffer = 3072;
            s.WebKdfIterations = 200;
            s.DefaultNatEntries = 424;
            return s;
        }

        static RouterSizes Esp32Devkitc()
        {
            var s = new RouterSizes();
            s.DhcpLeases = 16;
            s.Ipv4Neighbors = 16;
            s.Ipv6Neighbors = 24;
            s.NatEntries = 424;
            s.NatHosts = 32;
            s.ReplayWindowWords = 16;
            s.StagedPackets = 1;
            s.PacketBuffer = 1344;
            s.HeldReplies = 1;
            s.ConsoleLine = 128;
            s.Paths = 4;
            s.Devices = 20;
            s.Ipv6Bindings = 40;
            s.NatReservePerDevice = 12;
            s.FragmentDatagrams = 2;
            s.FragmentHoldSlots = 0;
            s.NatRemoteV6Addresses = false;
            s.EventLog = 16;
            s.FastPathFlows = 16;
            s.WebConnections = 0;
            s.WebReceiveBuffer = 1536;
            s.WebSendBuffer = 3072;
            s.WebKdfIterations = 200;
            s.DefaultNatEntries = 424;
            return s;
        }

        static RouterSizes Esp32S3()
        {
            var s = new RouterSizes();
            s.DhcpLeases = 64;
            s.Ipv4Neighbors = 64;
            s.Ipv6Neighbors = 128;
            s.NatEntries = 4096;
            s.NatHosts = 200;
            s.ReplayWindowWords = 128;
            s.StagedPackets = 4;
            s.PacketBuffer = 2048;
            s.HeldReplies = 4;
            s.ConsoleLine = 256;
            s.Paths = 8;
            s.Devices = 72;
            s.Ipv6Bindings = 256;
            s.NatReservePerDevice = 16;
            s.FragmentDatagrams = 64;
            s.FragmentHoldSlots = 16;
            s.NatRemoteV6Addresses = true;
            s.EventLog = 256;
            s.FastPathFlows = 128;
            s.WebConnections = 4;
            s.WebReceiveBuffer = 4096;
            s.WebSendBuffer = 8192;
            s.WebKdfIterations = 200;
            s.DefaultNatEntries = 4096;
            return s;
        }

        static RouterSizes Esp32Wrover()
        {
            var s = new RouterSizes();
            s.DhcpLeases = 64;
            s.Ipv4Neighbors = 64;
            s.Ipv6Neighbors = 128;
            s.NatEntries = 4096;
            s.NatHosts = 200;
            s.ReplayWindowWords = 128;
            s.StagedPackets = 4;
            s.PacketBuffer = 2048;
            s.HeldReplies = 4;
            s.ConsoleLine = 256;
            s.Paths = 8;
            s.Devices = 72;
            s.Ipv6Bindings = 256;
            s.NatReservePerDevice = 16;
            s.FragmentDatagrams = 64;
            s.FragmentHoldSlots = 16;
            s.NatRemoteV6Addresses = true;
            s.EventLog = 256;
            s.FastPathFlows = 128;
            s.WebConnections = 4;
            s.WebReceiveBuffer = 4096;
            s.WebSendBuffer = 8192;
            s.WebKdfIterations = 200;
            s.DefaultNatEntries = 4096;
            return s;
        }

        static RouterSizes Wt32Eth01()
        {
            var s = new RouterSizes();
            s.DhcpLeases = 16;
            s.Ipv4Neighbors = 16;
            s.Ipv6Neighbors = 24;
            s.NatEntries = 424;
            s.NatHosts = 32;
            s.ReplayWindowWords = 16;
            s.StagedPackets = 1;
            s.PacketBuffer = 1344;
            s.HeldReplies = 1;
            s.ConsoleLine = 128;
            s.Paths = 4;
            s.Devices = 20;
            s.Ipv6Bindings = 40;
            s.NatReservePerDevice = 12;
            s.FragmentDatagrams = 2;
            s.FragmentHoldSlots = 0;
            s.NatRemoteV6Addresses = false;
            s.EventLog = 16;
            s.FastPathFlows = 16;
            s.WebConnections = 0;
            s.WebReceiveBuffer = 1536;
            s.WebSendBuffer = 3072;
            s.WebKdfIterations = 200;
            s.DefaultNatEntries = 424;
            return s;
        }

        public static readonly string[] Ids = { "esp32-c3", "esp32-devkitc", "esp32-s3", "esp32-wrover", "wt32-eth01" };

        public static RouterSizes Sizes(string id)
        {
            if (id == "esp32-c3") return Esp32C3();
            if (id == "esp32-devkitc") return Esp32Devkitc();
            if (id == "esp32-s3") return Esp32S3();
            if (id == "esp32-wrover") return Esp32Wrover();
            if (id == "wt32-eth01") return Wt32Eth01();
            return null;
        }

        public static int HeapBudget(string id)
        {
            if (id == "esp32-c3") return 80000;
            if (id == "esp32-devkitc") return 80000;
            if (id == "esp32-s3") return 760000;
            if (id == "esp32-wrover") return 3000000;
            if (id == "wt32-eth01") return 80000;
            return 0;
        }

        /// <summary>Runtime + program + sockets.</summary>
        public static int Allowance(string id)
        {
            if (id == "esp32-c3") return 40960;
            if (id == "esp32-devkitc") return 40960;
            if (id == "esp32-s3") return 53248;
            if (id == "esp32-wrover") return 53248;
            if (id == "wt32-eth01") return 40960;
            return 0;
        }
    }
}
