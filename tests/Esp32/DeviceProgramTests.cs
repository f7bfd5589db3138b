using System;
using System.Linq;
using System.Text;
using Warp.Firmware;
using Warp.Hal;
using Warp.Hal.Esp32;
using Warp.Protocol.Net;
using Warp.Router.Esp32;
using Xunit;

namespace Warp.Esp32.Tests
{
    /// <summary>
    /// The ESP32 program's boot and loop (firmware/Esp32/DeviceProgram) on in-memory doubles of
    /// hal/Esp32's seams, with the lab's scenario through it: a lease, a DNS lookup and an HTTP
    /// fetch through a real peer tunnel.
    /// </summary>
    public class DeviceProgramTests
    {
        static DeviceLab Configured(Warp.Router.Esp32.BoardProfile board = null)
        {
            var lab = new DeviceLab(board);
            lab.Put(StationList.Record, "Lobby\tlobby-pass\nHotel-5G\thotel-secret-pw\n");
            lab.Put(DeviceProgram.SoftApRecord, "Warp-Home\nhousehold-pw-123\n11");
            lab.AccessPoint.Ssid = "Warp-Home";
            lab.AccessPoint.Password = "household-pw-123";
            lab.AccessPoint.Channel = 11;
            lab.Station.Results["Hotel-5G"] = JoinResult.Joined;
            return lab;
        }

        [Theory]
        [InlineData("esp32-devkitc")]
        [InlineData("esp32-wrover")]
        [InlineData("wt32-eth01")]
        public void TheProgramBootsAndCarriesALeaseADnsLookupAndAnHttpFetchThroughThePeer(string boardId)
        {
            var board = Boards.All().Single(b => b.Id == boardId);
            var lab = Configured(board);
            if (!board.WifiUplink)
                lab.Ports.Station = null;
            var program = lab.Boot();
            Assert.True(program.State == ProgramState.Running, lab.Console.Text);
            Assert.Same(board.Sizes, program.Router.Sizes);
            Assert.Equal(board.Sizes.NatEntries, program.Router.Nat.Table.Capacity); // the profile's table, not the config's default
            Assert.Equal(DeviceProgram.WatchdogMs, lab.System.WatchdogTimeout);
            Assert.Equal(40000, lab.Factory.ListenPort);
            Assert.Equal(program.Router.RouterMac, lab.Factory.Mac);
            Assert.Equal(0, lab.AccessPoint.Saves); // unchanged SoftAP: no save, no reboot
            Assert.Equal(0, lab.System.Reboots);
            if (board.WifiUplink)
            {
                Assert.Equal(new[] { "Lobby", "Hotel-5G" }, lab.Station.Attempts);
                Assert.Contains("wifi: Lobby: not in range", lab.Console.Written);
                Assert.Contains("wifi: joined Hotel-5G", lab.Console.Written);
                Assert.Equal("Hotel-5G", program.JoinedNetwork);
                Assert.StartsWith("Hotel-5G\t", lab.Get(StationList.Record)); // last good first
            }
            else
            {
                Assert.Empty(lab.Station.Attempts);
                Assert.Contains("uplink: Ethernet", lab.Console.Written);
            }

            Assert.True(lab.Lease(), lab.Console.Text);
            Assert.Equal(0xC0A82A64u, lab.ClientIp);
            Assert.NotEqual(0u, lab.DnsServer);

            // DNS: an A query for example.com to the server the lease named, answered beyond the peer.
            byte[] query = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0, 0, 1, 0, 1 };
            lab.ClientSends(DeviceLab.Udp(lab.ClientIp, lab.DnsServer, 53000, 53, query));
            lab.Run(6);
            var dnsAnswer = lab.ClientReceives().FirstOrDefault(p => p[9] == 17 && Endian.Read16(p, 20) == 53 && Endian.Read16(p, 22) == 53000);
            Assert.True(dnsAnswer != null, "no DNS answer; " + lab.Console.Text);
            Assert.Equal(lab.DnsServer, Endian.Read32(dnsAnswer, 12)); // from the server the client asked
            Assert.Equal(0x12, dnsAnswer[28]);
            Assert.Equal(DeviceLab.Origin, Endian.Read32(dnsAnswer, dnsAnswer.Length - 4));
            Assert.Equal(1, lab.DnsQueriesAnswered);
            Assert.Equal(IndicatorState.Connected, lab.Light.Shown.Last());

            // HTTP: SYN, SYN-ACK, the request, the page.
            lab.ClientSends(DeviceLab.Tcp(lab.ClientIp, DeviceLab.Origin, 41000, 80, 5000, 0, 0x02, new byte[0]));
            lab.Run(3);
            var synAck = lab.ClientReceives().Single(p => p[9] == 6);
            Assert.Equal(0x12, synAck[33]);
            Assert.Equal(5001u, Endian.Read32(synAck, 28));
            uint serverSeq = Endian.Read32(synAck, 24);
            byte[] get = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 198.18.0.80\r\nConnection: close\r\n\r\n");
            lab.ClientSends(DeviceLab.Tcp(lab.ClientIp, DeviceLab.Origin, 41000, 80, 5001, serverSeq + 1, 0x18, get));
            lab.Run(3);
            var response = lab.ClientReceives().Single(p => p[9] == 6);
            Assert.True(Ipv4Packet.TryCreate(response, 0, response.Length, out var ip));
            Assert.True(TcpSegment.TryCreate(response, 20, response.Length - 20, out var tcp));
            Assert.True(tcp.VerifyChecksum(ip.PseudoHeaderSum()));
            Assert.Equal(41000, tcp.DestinationPort);
            string http = Encoding.ASCII.GetString(response, tcp.PayloadOffset, tcp.PayloadLength);
            Assert.StartsWith("HTTP/1.1 200 OK", http);
            Assert.EndsWith(DeviceLab.Page, http);
            Assert.Equal(1, lab.HttpRequestsServed);
            Assert.True(lab.System.WatchdogFeeds >= 16);

            // The same console commands as the Linux host.
            lab.Console.Written.Clear();
            lab.Console.Typed.Enqueue("leases");
            lab.Console.Typed.Enqueue("status -m");
            lab.Run(1);
            Assert.Contains(lab.Console.Written, l => l.Contains("192.168.42.100"));
            Assert.Contains(lab.Console.Written, l => l.StartsWith("end records=", StringComparison.Ordinal));
        }

        [Fact]
        public void WithoutAConfigurationTheSetupSoftApComesUpOnceAndTheConsoleStoresAValidConfigThenReboots()
        {
            var lab = new DeviceLab(storeConfig: false);
            var program = lab.Boot();
            // First boot: the setup SSID is saved and the device reboots to apply it.
            Assert.Equal(ProgramState.Rebooting, program.State);
            Assert.StartsWith(DeviceProgram.SetupSsidPrefix, lab.AccessPoint.Ssid);
            Assert.Equal(1, lab.AccessPoint.Saves);
            Assert.Equal(1, lab.System.Reboots);
            // Second boot: the setup AP is there; setup mode, no second save.
            program = lab.Boot();
            Assert.Equal(ProgramState.Setup, program.State);
            Assert.Equal(1, lab.AccessPoint.Saves);
            Assert.Equal(IndicatorState.Error, lab.Light.Shown.Last());
            Assert.Null(program.Router);

            lab.Console.Typed.Enqueue("status");
            lab.Console.Typed.Enqueue("config begin");
            lab.Console.Typed.Enqueue("[Interface]");
            lab.Console.Typed.Enqueue("PrivateKey = not-a-key");
            lab.Console.Typed.Enqueue("config end 2 " + ProvisionConsole.Hex32(ProvisionConsole.TransferCrc(new[] { "[Interface]", "PrivateKey = not-a-key" })));
            program.Step();
            Assert.Contains("setup mode: no router yet", lab.Console.Written);
            Assert.Contains(lab.Console.Written, l => l.StartsWith("config: line 2: PrivateKey", StringComparison.Ordinal));
            Assert.Contains(lab.Console.Written, l => l.StartsWith("error config reason=invalid errors=", StringComparison.Ordinal) && l.Contains(" line=2;"));
            Assert.Null(lab.Get(StoredRecords.Config));

            lab.Console.Typed.Enqueue("config begin");
            var lines = lab.ConfigText.Split('\n');
            foreach (var line in lines)
                lab.Console.Typed.Enqueue(line);
            lab.Console.Typed.Enqueue("config end " + lines.Length + " " + ProvisionConsole.Hex32(ProvisionConsole.TransferCrc(lines)));
            program.Step();
            Assert.Contains(lab.Console.Written, l => l.StartsWith("ok config stored lines=" + lines.Length, StringComparison.Ordinal));
            Assert.Equal(lab.ConfigText + "\n", lab.Get(StoredRecords.Config));
            Assert.Equal(ProgramState.Rebooting, program.State);
            Assert.Equal(2, lab.System.Reboots);
            Assert.DoesNotContain(lab.Console.Written, l => l.Contains(lab.PrivateKeyText)); // pasted lines are not echoed
        }

        [Fact]
        public void AChangedSoftApIsSavedAndAppliedWithARebootAndOnlyThen()
        {
            var lab = Configured();
            lab.Put(DeviceProgram.SoftApRecord, "Warp-Home\nnew-household-pw\n11");
            var program = lab.Boot();
            Assert.Equal(ProgramState.Rebooting, program.State);
            Assert.Equal("new-household-pw", lab.AccessPoint.Password);
            Assert.Equal(1, lab.AccessPoint.Saves);
            Assert.Equal(1, lab.System.Reboots);
            program = lab.Boot();
            Assert.Equal(ProgramState.Running, program.State);
            Assert.Equal(1, lab.AccessPoint.Saves);

            lab.Console.Typed.Enqueue("softap Warp-Home short");
            lab.Console.Typed.Enqueue("softap \"Warp Home 2\" another-household-pw 3");
            program.Step();
            Assert.Contains("softap: the WPA2 password must be 8 to 63 characters", lab.Console.Written);
            Assert.Equal("Warp Home 2", lab.AccessPoint.Ssid);
            Assert.Equal(3, lab.AccessPoint.Channel);
            Assert.Equal(2, lab.System.Reboots);
            Assert.DoesNotContain(lab.Console.Written, l => l.Contains("household-pw"));
        }

        [Fact]
        public void JoinFailuresAreReportedByReasonAndTheNextNetworkIsTried()
        {
            var lab = Configured();
            lab.Station.Results["Lobby"] = JoinResult.WrongPassword;
            lab.Station.Results["Hotel-5G"] = JoinResult.Unsupported;
            var program = lab.Boot();
            Assert.Equal(ProgramState.Running, program.State); // the router runs; the station retries later
            Assert.Contains("wifi: Lobby: wrong password", lab.Console.Written);
            Assert.Contains(lab.Console.Written, l => l.StartsWith("wifi: Hotel-5G: needs an authentication", StringComparison.Ordinal));
            Assert.Null(program.JoinedNetwork);
            Assert.Contains(IndicatorState.NoUplink, lab.Light.Shown);
            Assert.Equal(new[] { "lobby-pass", "hotel-secret-pw" }, lab.Station.Passwords);
            lab.Station.Results["Hotel-5G"] = JoinResult.Joined;
            lab.System.Clock += DeviceProgram.JoinRetryMs;
            program.Step();
            Assert.Equal("Hotel-5G", program.JoinedNetwork);

            lab.Console.Typed.Enqueue("wifi add \"Cafe Guest\"");
            lab.Console.Typed.Enqueue("cafe-pass-99");
            lab.Console.Typed.Enqueue("wifi list");
            lab.Console.Typed.Enqueue("wifi scan");
            program.Step();
            program.Step();
            Assert.Contains("  Cafe Guest", lab.Console.Written);
            Assert.Contains(lab.Console.Written, l => l.EndsWith("dBm  Hotel-5G", StringComparison.Ordinal));
            Assert.Contains("Cafe Guest\tcafe-pass-99", lab.Get(StationList.Record));
            foreach (var secret in new[] { "lobby-pass", "hotel-secret-pw", "cafe-pass-99", "household-pw-123", lab.PrivateKeyText })
                Assert.DoesNotContain(lab.Console.Written, l => l.Contains(secret));
        }

        [Fact]
        public void ALongPressClearsConfigLeasesNetworksAndSoftApButKeepsTheTimestampCeiling()
        {
            var lab = Configured();
            var program = lab.Boot();
            Assert.True(lab.Lease());
            Assert.NotNull(lab.Get(StoredRecords.Leases));
            Assert.True(lab.Store.Records.ContainsKey(StoredRecords.TimestampCeiling));
            byte[] ceiling = lab.Store.Records[StoredRecords.TimestampCeiling];
            lab.Button.IsPressed = true;
            lab.Run(2);
            lab.System.Clock += Warp.Firmware.Router.ResetHoldMs;
            lab.Run(1);
            Assert.Equal(IndicatorState.ResetArmed, lab.Light.Shown.Last());
            Assert.Equal(ProgramState.Running, program.State);
            lab.Button.IsPressed = false;
            lab.Run(1);
            Assert.Equal(ProgramState.Rebooting, program.State);
            Assert.Equal(1, lab.System.Reboots);
            foreach (var gone in new[] { StoredRecords.Config, StoredRecords.Leases, StationList.Record, DeviceProgram.SoftApRecord })
                Assert.Null(lab.Get(gone));
            Assert.Equal(ceiling, lab.Store.Records[StoredRecords.TimestampCeiling]);
        }

        [Fact]
        public void AConfigWithErrorsLeavesTheConsoleUpAndTheLightOnError()
        {
            var lab = Configured();
            lab.Put(StoredRecords.Config, "[Interface]\nPrivateKey = nope\n");
            var program = lab.Boot();
            Assert.Equal(ProgramState.Error, program.State);
            Assert.Equal(IndicatorState.Error, lab.Light.Shown.Last());
            Assert.Contains(lab.Console.Written, l => l.StartsWith("config: line 2: PrivateKey", StringComparison.Ordinal));
            lab.Console.Typed.Enqueue("status");
            program.Step();
            Assert.Contains("no router: the configuration has errors", lab.Console.Written);
        }

        [Theory]
        [InlineData(LwipErrors.NoBufferSpace, UplinkSendResult.NoBuffers)]
        [InlineData(LwipErrors.WouldBlock, UplinkSendResult.WouldBlock)]
        [InlineData(LwipErrors.NetworkUnreachable, UplinkSendResult.NoRoute)]
        [InlineData(LwipErrors.HostUnreachable, UplinkSendResult.NoRoute)]
        [InlineData(LwipErrors.AddressNotAvailable, UplinkSendResult.FamilyDown)]
        [InlineData(LwipErrors.NetworkDown, UplinkSendResult.FamilyDown)]
        [InlineData(LwipErrors.MessageSize, UplinkSendResult.Failed)]
        public void LwipErrorsMapToTheUplinksSendResults(int code, UplinkSendResult expected)
        {
            Assert.Equal(expected, LwipErrors.ToSendResult(code));
            // The codes are System.Net.Sockets.SocketError's (nanoFramework uses the same Winsock numbers).
            Assert.Equal((int)Enum.Parse<System.Net.Sockets.SocketError>(Name(code)), code);
        }

        static string Name(int code)
        {
            switch (code)
            {
                case LwipErrors.NoBufferSpace: return "NoBufferSpaceAvailable";
                case LwipErrors.WouldBlock: return "WouldBlock";
                case LwipErrors.NetworkUnreachable: return "NetworkUnreachable";
                case LwipErrors.HostUnreachable: return "HostUnreachable";
                case LwipErrors.AddressNotAvailable: return "AddressNotAvailable";
                case LwipErrors.NetworkDown: return "NetworkDown";
                default: return "MessageSize";
            }
        }

        [Fact]
        public void CommandWordsSplitOnSpacesWithQuotedNames()
        {
            Assert.Equal(new[] { "wifi", "add", "My Hotel", "pa ss" }, DeviceProgram.Split("wifi add \"My Hotel\" \"pa ss\""));
            Assert.Equal(new[] { "heap" }, DeviceProgram.Split("  heap  "));
        }
    }
}
