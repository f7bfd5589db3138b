namespace Warp.Hal.Esp32
{
    /// <summary>The serial console: command lines in, answers out a line at a time.</summary>
    public interface IConsolePort
    {
        /// <summary>The next complete line typed (without its end), or null when none is complete yet. Never blocks.</summary>
        string ReadLine();

        /// <summary>Writes one line and its end.</summary>
        void WriteLine(string line);
    }
}
