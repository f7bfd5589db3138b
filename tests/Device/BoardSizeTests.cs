using nanoFramework.TestFramework;
using Warp.Firmware;

namespace Warp.Device.Tests
{
    /// <summary>Table sizes: the boards' (firmware/Esp32/Boards.cs) and the firmware's named profiles.</summary>
    [TestClass]
    public static class BoardSizeTests
    {
        [TestMethod]
        public static void ProfilesAreInRange()
        {
            Assert.IsNull(RouterSizes.Esp32NoPsram().Check());
            Assert.IsNull(RouterSizes.Esp32Psram().Check());
            Assert.IsNull(RouterSizes.LinuxHost().Check());
        }

        [TestMethod]
        public static void ABadProfileIsRefused()
        {
            RouterSizes s = RouterSizes.Esp32NoPsram();
            s.ReplayWindowWords = 3;
            Assert.IsNotNull(s.Check(), "ReplayWindowWords must be a power of two");
            s = RouterSizes.Esp32NoPsram();
            s.PacketBuffer = 1000;
            Assert.IsNotNull(s.Check(), "a buffer too small for a 1,280-byte packet");
        }

        /// <summary>
        /// Each board's router, built with every table at the board's size, plus nanoFramework's 12-byte
        /// object headers (about 12% on .NET's measure, README "Memory budget per board") plus the
        /// board's allowance, fits the board's heap budget.
        /// </summary>
        [DataRow("esp32-c3")]
        [DataRow("esp32-devkitc")]
        [DataRow("esp32-s3")]
        [DataRow("esp32-wrover")]
        [DataRow("wt32-eth01")]
        public static void TheBoardsRouterFitsItsHeapBudget(string board)
        {
            RouterSizes sizes = BoardTables.Sizes(board);
            Assert.IsNotNull(sizes, board);
            Assert.IsNull(sizes.Check(), board);
            int bytes = new RouterRig(sizes, null).Router.MemoryBytes;
            int total = bytes * 112 / 100 + BoardTables.Allowance(board);
            OutputHelper.WriteLine(board + ": router MemoryBytes " + bytes.ToString() + ", with headers and allowance " + total.ToString() + " of " + BoardTables.HeapBudget(board).ToString());
            Assert.IsTrue(bytes > 10000, "the tables are really allocated");
            Assert.IsTrue(total <= BoardTables.HeapBudget(board), board + ": " + total.ToString() + " B over the budget " + BoardTables.HeapBudget(board).ToString());
        }

        [TestMethod]
        public static void EveryBoardHasARow()
        {
            Assert.AreEqual(5, BoardTables.Ids.Length, "a new board needs a [DataRow] above");
        }

        [TestMethod]
        public static void ThePsramRouterIsLargerAndStillBounded()
        {
            int small = new RouterRig(RouterSizes.Esp32NoPsram(), null).Router.MemoryBytes;
            int large = new RouterRig(RouterSizes.Esp32Psram(), null).Router.MemoryBytes;
            OutputHelper.WriteLine("Esp32Psram router MemoryBytes " + large.ToString());
            Assert.IsTrue(large > small);
            Assert.IsTrue(large < 1000000, "under a megabyte of PSRAM heap");
        }
    }
}
