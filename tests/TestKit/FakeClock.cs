namespace Warp.TestKit
{
    /// <summary>A monotonic clock in milliseconds that moves only when a test says so.</summary>
    public sealed class FakeClock
    {
        public long Now;
        public FakeClock(long start = 0) { Now = start; }
        public long Advance(long milliseconds) { Now += milliseconds; return Now; }
    }
}
