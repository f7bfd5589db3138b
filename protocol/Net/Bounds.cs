namespace Warp.Protocol.Net
{
    /// <summary>The one bounds check every view's TryCreate starts with.</summary>
    public static class Bounds
    {
        /// <summary>
        /// True when (offset, length) lies inside the buffer. Written so that no sum can
        /// overflow: a hostile length near int.MaxValue is refused, not wrapped.
        /// </summary>
        public static bool Fits(byte[] buffer, int offset, int length)
        {
            return buffer != null && offset >= 0 && length >= 0 && offset <= buffer.Length && length <= buffer.Length - offset;
        }
    }
}
