using System.IO.Ports;
using nanoFramework.Hardware.Esp32;
using Warp.Protocol.Config;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The console on a UART (COM2 on the board profile's pins, 115200 8N1; COM1 carries
    /// nanoFramework's debugger). Bytes are gathered into a fixed line buffer; a line ends at CR
    /// or LF; a line longer than the buffer is dropped whole.
    /// </summary>
    public sealed class SerialConsole : IConsolePort
    {
        readonly SerialPort port;
        readonly byte[] line;
        readonly byte[] chunk = new byte[64];
        int length, chunkAt, chunkLength;
        bool overflow;
        static readonly byte[] newLine = { 13, 10 };

        public SerialConsole(int txPin, int rxPin, int lineLength)
        {
            Configuration.SetPinFunction(txPin, DeviceFunction.COM2_TX);
            Configuration.SetPinFunction(rxPin, DeviceFunction.COM2_RX);
            port = new SerialPort("COM2", 115200);
            port.Open();
            line = new byte[lineLength];
        }

        public string ReadLine()
        {
            while (true)
            {
                if (chunkAt == chunkLength)
                {
                    if (port.BytesToRead <= 0)
                        return null;
                    chunkLength = port.Read(chunk, 0, chunk.Length);
                    chunkAt = 0;
                    if (chunkLength <= 0)
                    {
                        chunkLength = 0;
                        return null;
                    }
                }
                byte b = chunk[chunkAt++];
                if (b == 13 || b == 10)
                {
                    if (length == 0 && !overflow)
                        continue;
                    string s = overflow ? null : Utf8Text.Decode(line, 0, length);
                    length = 0;
                    overflow = false;
                    if (s != null)
                        return s;
                    continue;
                }
                if (length < line.Length)
                    line[length++] = b;
                else
                    overflow = true;
            }
        }

        public void WriteLine(string text)
        {
            byte[] b = Utf8Text.Encode(text);
            port.Write(b, 0, b.Length);
            port.Write(newLine, 0, 2);
        }
    }
}
