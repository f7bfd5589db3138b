using System;
using System.IO;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading;

namespace Warp.Edge
{
    /// <summary>
    /// warp-edge: the front of a WARP-like edge.
    /// <code>
    ///   warp-edge --mode ecmp|clientid --listen ADDR:PORT [--listen ...] --backend ADDR:PORT [--backend ...]
    ///             [--backend-side ADDR] [--stats FILE] [--debug] [--max-flows N]
    /// </code>
    /// SIGINT/SIGTERM stop it cleanly: the sockets are closed, the counters written to --stats and printed.
    /// </summary>
    public static class Program
    {
        const string Usage =
            "usage: warp-edge --mode ecmp|clientid --listen ADDR:PORT [--listen ADDR:PORT ...]\n" +
            "                 --backend ADDR:PORT [--backend ADDR:PORT ...] [--backend-side ADDR]\n" +
            "                 [--stats FILE] [--debug] [--max-flows N]\n" +
            "  ecmp: backend = hash(4-tuple) mod N; clientid: hash(WARP client id, bytes 1-3) mod N,\n" +
            "  the 4-tuple when the id is 0. Bytes 1-3 are cleared before forwarding. IPv6 as [ADDR]:PORT.\n" +
            "  --stats FILE: the counters, rewritten every second and at exit; --debug: a line per routing decision.\n";

        public static int Main(string[] args)
        {
            if (args.Length == 0 || Array.IndexOf(args, "--help") >= 0 || Array.IndexOf(args, "-h") >= 0)
            {
                Console.Write(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            var o = new FrontOptions();
            string stats = null;
            try
            {
                for (int i = 0; i < args.Length; i++)
                {
                    string a = args[i];
                    string Next() { if (i + 1 >= args.Length) throw new ArgumentException(a + " needs a value"); return args[++i]; }
                    switch (a)
                    {
                        case "--mode":
                            string m = Next();
                            o.Mode = m == "ecmp" ? EdgeMode.Ecmp : m == "clientid" ? EdgeMode.ClientId : throw new ArgumentException("--mode is ecmp or clientid, not " + m);
                            break;
                        case "--listen": o.Listen.Add(ParseEndpoint(Next())); break;
                        case "--backend": o.Backends.Add(ParseEndpoint(Next())); break;
                        case "--backend-side":
                            string side = Next();
                            o.BackendSide = IPAddress.TryParse(side, out IPAddress ip) ? ip : throw new ArgumentException("not an address: " + side);
                            break;
                        case "--stats": stats = Next(); break;
                        case "--debug": o.Debug = true; break;
                        case "--max-flows":
                            o.MaxFlows = int.TryParse(Next(), out int mf) && mf > 0 ? mf : throw new ArgumentException("--max-flows needs a positive number");
                            break;
                        default: throw new ArgumentException("unknown option " + a);
                    }
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("warp-edge: " + e.Message);
                Console.Error.Write(Usage);
                return 2;
            }

            EdgeFront front;
            try
            {
                front = new EdgeFront(o, Console.Out);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException || e is ArgumentException)
            {
                Console.Error.WriteLine("warp-edge: cannot start: " + e.Message);
                return 1;
            }
            Console.Out.Flush();
            using (front)
            using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; front.Stop(); }))
            using (PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; front.Stop(); }))
            {
                Console.WriteLine($"warp-edge: {(o.Mode == EdgeMode.Ecmp ? "ecmp" : "clientid")} front on {string.Join(", ", o.Listen)}, {o.Backends.Count} backends: {string.Join(", ", o.Backends)}");
                Console.Out.Flush();
                front.Run(() =>
                {
                    if (stats != null) TryWrite(front, stats);
                    Console.Out.Flush();
                });
                if (stats != null) TryWrite(front, stats);
                Console.WriteLine("warp-edge: stopped");
                Console.Write(front.Render());
                Console.Out.Flush();
            }
            return 0;
        }

        static void TryWrite(EdgeFront front, string path)
        {
            try { front.WriteStats(path); }
            catch (IOException e) { Console.Error.WriteLine("warp-edge: stats: " + e.Message); }
            catch (UnauthorizedAccessException e) { Console.Error.WriteLine("warp-edge: stats: " + e.Message); }
        }

        static IPEndPoint ParseEndpoint(string s)
        {
            if (IPEndPoint.TryParse(s, out IPEndPoint ep) && ep.Port != 0)
                return ep;
            throw new ArgumentException("not ADDR:PORT or [ADDR]:PORT: " + s);
        }
    }
}
