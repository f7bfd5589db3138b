using System;
using System.Collections.Generic;
using System.IO;
using SharpFuzz;

namespace Warp.Fuzz
{
    /// <summary>
    /// <code>
    ///   Warp.Fuzz TARGET                      under afl-fuzz: runs inputs from stdin (persistent mode, SharpFuzz)
    ///   Warp.Fuzz TARGET --seeds DIR          writes the seed corpus
    ///   Warp.Fuzz TARGET --replay [--verbose] FILE...
    ///                                         runs saved inputs; prints each one that throws (hex and stack), exit 1;
    ///                                         --verbose: the counters each input moved
    ///   Warp.Fuzz --list                      the targets
    /// </code>
    /// </summary>
    public static class Program
    {
        static readonly ITarget[] Targets =
        {
            new TunnelTarget(), new RouterTarget(), new NatTarget(), new ConfigTarget(), new DhcpTarget(),
        };

        public static int Main(string[] args)
        {
            if (args.Length == 1 && args[0] == "--list")
            {
                foreach (var t in Targets) Console.WriteLine(t.Name);
                return 0;
            }
            ITarget target = args.Length > 0 ? Find(args[0]) : null;
            if (target == null)
            {
                Console.Error.WriteLine("usage: Warp.Fuzz TARGET [--seeds DIR | --replay FILE...]; targets: " + Names());
                return 2;
            }
            if (args.Length == 1)
            {
                Fuzzer.Run(stream => target.Run(ReadAll(stream)));
                return 0;
            }
            // The instrumented assemblies write to SharpFuzz's coverage map: outside afl-fuzz,
            // Fuzzer.Run gives them one (and runs the action once, here without reading stdin).
            int rc = 2;
            Fuzzer.Run(_ => rc = Tool(target, args));
            return rc;
        }

        static int Tool(ITarget target, string[] args)
        {
            if (args[1] == "--seeds" && args.Length == 3)
            {
                Directory.CreateDirectory(args[2]);
                int n = 0;
                foreach (var seed in target.Seeds())
                {
                    target.Run(seed.Value); // a seed that throws is a finding already
                    File.WriteAllBytes(Path.Combine(args[2], seed.Key), seed.Value);
                    n++;
                }
                Console.WriteLine(target.Name + ": " + n + " seeds in " + args[2]);
                return 0;
            }
            if (args[1] == "--replay")
            {
                int failed = 0;
                bool verbose = args.Length > 2 && args[2] == "--verbose";
                for (int i = verbose ? 3 : 2; i < args.Length; i++)
                {
                    byte[] input = File.ReadAllBytes(args[i]);
                    try
                    {
                        target.Run(input);
                        Console.WriteLine("ok     " + args[i]);
                        if (verbose) Console.WriteLine("  " + Check.Describe());
                    }
                    catch (Exception e)
                    {
                        failed++;
                        Console.WriteLine("THROWS " + args[i] + " (" + input.Length + " bytes)");
                        Console.WriteLine("  input: " + Convert.ToHexString(input));
                        Console.WriteLine("  " + e.ToString().Replace("\n", "\n  "));
                    }
                }
                return failed == 0 ? 0 : 1;
            }
            if (args[1] == "--stability" && args.Length == 3)
                return Stability(target, File.ReadAllBytes(args[2]));
            Console.Error.WriteLine("unknown arguments");
            return 2;
        }

        /// <summary>Runs one input five times in this process and counts the coverage map bytes that differ from the second run.</summary>
        static unsafe int Stability(ITarget target, byte[] input)
        {
            byte* saved = SharpFuzz.Common.Trace.SharedMem;
            var maps = new byte[5][];
            for (int run = 0; run < maps.Length; run++)
            {
                maps[run] = new byte[65536];
                fixed (byte* map = maps[run])
                {
                    SharpFuzz.Common.Trace.SharedMem = map;
                    SharpFuzz.Common.Trace.PrevLocation = 0;
                    target.Run(input);
                }
            }
            SharpFuzz.Common.Trace.SharedMem = saved;
            for (int run = 2; run < maps.Length; run++)
            {
                int differ = 0;
                for (int i = 0; i < 65536; i++)
                    if (maps[run][i] != maps[1][i]) differ++;
                Console.WriteLine("run " + run + ": " + differ + " map bytes (hit counts) differ from run 1");
            }
            return 0;
        }

        static ITarget Find(string name)
        {
            foreach (var t in Targets) if (t.Name == name) return t;
            return null;
        }

        static string Names()
        {
            var names = new List<string>();
            foreach (var t in Targets) names.Add(t.Name);
            return string.Join(", ", names);
        }

        static byte[] ReadAll(Stream stream)
        {
            var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        }
    }
}
