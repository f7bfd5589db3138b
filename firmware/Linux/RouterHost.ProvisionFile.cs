using System.IO;
using Warp.Firmware;
using Warp.Hal.Linux;

namespace Warp.Router.Linux
{
    /// <summary>
    /// The Linux host's side of <see cref="ProvisionFile"/> (provisioning over the USB cable alone on
    /// the device): with --drop-dir DIR, DIR/warp-provision.txt stands for the ESP32's
    /// I:\warp-provision.txt. It is imported before the start (so a clean file's configuration is
    /// the one started) and while running; a clean file that changed the configuration restarts
    /// the router core as a stored configuration does. `provision [-m]` says what became of the last
    /// file, and `status` ends with that line.
    /// </summary>
    public sealed partial class RouterHost
    {
        ProvisionFile provisionFile;
        TextWriter dropLog;
        WriterOutput dropOutput;

        ProvisionFile DropFile
        {
            get
            {
                if (provisionFile == null && options.DropDirectory != null)
                    provisionFile = new ProvisionFile(new DirectoryProvisionDrop(options.DropDirectory, ProvisionFile.FileName), Store, Sizes);
                return provisionFile;
            }
        }

        /// <summary>Imports a provisioning file waiting in --drop-dir (at start). Null when there is none or no --drop-dir.</summary>
        public ProvisionFileResult ImportProvisionFile(IConsoleOutput log)
        {
            if (DropFile == null)
                return null;
            Directory.CreateDirectory(options.StateDirectory);
            return DropFile.Import(Now, log);
        }

        /// <summary>Each turn of the loop: a file that arrived while running, once it held still.</summary>
        void ServiceProvisionFile(TextWriter log)
        {
            if (DropFile == null)
                return;
            if (dropOutput == null || dropLog != log)
            {
                dropLog = log;
                dropOutput = new WriterOutput(log);
            }
            var output = dropOutput;
            ProvisionFileResult r = DropFile.Poll(Now, output);
            if (r != null && r.IsApplied && r.ConfigChanged)
                RestartCore(output);
        }

        /// <summary>`provision` and `provision -m`; false for any other line.</summary>
        bool ProvisionFileCommand(string line, IConsoleOutput o)
        {
            string cmd = (line ?? "").Trim().ToLowerInvariant();
            if (cmd != "provision" && cmd != "provision " + ConsoleRecord.Flag)
                return false;
            if (DropFile == null)
            {
                o.WriteLine(cmd == "provision" ? "provisioning file: no --drop-dir" : "provision" + ConsoleRecord.Field("state", "none"));
                if (cmd != "provision")
                    o.WriteLine(ConsoleRecord.End(1));
                return true;
            }
            if (cmd == "provision")
                o.WriteLine(DropFile.LastStatusLine);
            else
            {
                o.WriteLine(DropFile.LastRecord);
                o.WriteLine(ConsoleRecord.End(1));
            }
            return true;
        }

        /// <summary>After a human `status`: the last provisioning file's line.</summary>
        void ProvisionFileStatus(string line, IConsoleOutput o)
        {
            if (DropFile != null && (line ?? "").Trim().ToLowerInvariant() == "status" && DropFile.HasResult)
                o.WriteLine(DropFile.LastStatusLine);
        }
    }
}
