using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;

namespace Warp.DeviceRunner
{
    /// <summary>
    /// dotnet Warp.DeviceRunner.dll [--trx FILE] [--self-check CONTRACT.dll]
    ///   runs every [TestClass] of tests/Device (namespace Warp.Device.Tests) the way nanoFramework's
    ///   UnitTestLauncher does on a board, prints one line per result ("Test passed,Class.Method.0,ms"),
    ///   a closing "device tests: N passed, N failed, N skipped", writes a .trx whose counters
    ///   build/test.sh adds up, and exits 1 on any failure or when no test ran.
    /// --self-check runs the planted classes instead (a passing, a failing Assert, an exception, a
    ///   skip, a skipping [Setup]) and fails unless each lands where it must, then compares this
    ///   runner's TestFramework surface with the device build's contract assembly.
    /// </summary>
    public static class Program
    {
        public const string TestNamespace = "Warp.Device.Tests";

        public static int Main(string[] args)
        {
            string trx = null, contract = null;
            bool selfCheck = false;
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--trx" && i + 1 < args.Length) trx = args[++i];
                else if (args[i] == "--self-check" && i + 1 < args.Length) { selfCheck = true; contract = args[++i]; }
                else { Console.Error.WriteLine("usage: Warp.DeviceRunner [--trx FILE] [--self-check CONTRACT.dll]"); return 2; }
            }
            if (selfCheck) return SelfCheck.Run(contract);
            var results = Launcher.Run(typeof(Program).Assembly, TestNamespace, Console.Out);
            int passed = results.Count(r => r.Outcome == Outcome.Passed), failed = results.Count(r => r.Outcome == Outcome.Failed),
                skipped = results.Count(r => r.Outcome == Outcome.Skipped);
            Console.WriteLine("device tests: " + passed + " passed, " + failed + " failed, " + skipped + " skipped");
            if (trx != null) Trx.Write(trx, results);
            return failed == 0 && passed > 0 ? 0 : 1;
        }
    }

    public enum Outcome { Passed, Failed, Skipped }

    public sealed class Result
    {
        public string Name;
        public Outcome Outcome;
        public string Message;
        public double Milliseconds;
        /// <summary>A [Setup] or [Cleanup] method: its failure counts, its success is not a test.</summary>
        public bool Fixture;
    }

    /// <summary>
    /// The order and rules of nanoFramework.TestFramework 3.0.77's UnitTestLauncher (source/UnitTestLauncher):
    /// per class carrying [TestClass], the public methods with [Setup] run first (a skip there skips
    /// the class), then [TestMethod]s, then each [DataRow] with its parameters, then [Cleanup].
    /// Methods are invoked with no instance (Invoke(null, ...)), as on the device, so tests are static.
    /// A test passes when it returns, is skipped on SkipTestException, and fails on anything else.
    /// </summary>
    public static class Launcher
    {
        public static List<Result> Run(Assembly assembly, string ns, TextWriter log)
        {
            var results = new List<Result>();
            foreach (Type type in assembly.GetTypes().Where(t => t.IsClass && t.Namespace == ns).OrderBy(t => t.FullName, StringComparer.Ordinal))
            {
                if (!type.GetCustomAttributes(true).Any(a => a.GetType() == typeof(nanoFramework.TestFramework.TestClassAttribute)))
                    continue;
                MethodInfo[] methods = type.GetMethods();
                if (!RunAll(methods, typeof(nanoFramework.TestFramework.SetupAttribute), results, log))
                {
                    // Upstream stops the class here; its tests are reported as skipped so a bench run shows them.
                    foreach (var m in methods.Where(m => m.GetCustomAttributes(true).Any(a => a is nanoFramework.TestFramework.TestMethodAttribute || a is nanoFramework.TestFramework.DataRowAttribute)))
                        Add(results, log, type.FullName + "." + m.Name + ".0", Outcome.Skipped, "[Setup] skipped the class", 0, false);
                    continue;
                }
                RunAll(methods, typeof(nanoFramework.TestFramework.TestMethodAttribute), results, log);
                RunAll(methods, typeof(nanoFramework.TestFramework.DataRowAttribute), results, log);
                RunAll(methods, typeof(nanoFramework.TestFramework.CleanupAttribute), results, log);
            }
            return results;
        }

        static bool RunAll(MethodInfo[] methods, Type attribute, List<Result> results, TextWriter log)
        {
            bool fixture = attribute == typeof(nanoFramework.TestFramework.SetupAttribute) || attribute == typeof(nanoFramework.TestFramework.CleanupAttribute);
            foreach (MethodInfo method in methods)
            {
                object[] attributes = method.GetCustomAttributes(true);
                // As upstream's Helper.RemoveTestMethodIfDataRowExists: a method with data rows runs once per row, not bare.
                if (attributes.Any(a => a is nanoFramework.TestFramework.DataRowAttribute))
                    attributes = attributes.Where(a => !(a is nanoFramework.TestFramework.TestMethodAttribute)).ToArray();
                for (int i = 0; i < attributes.Length; i++)
                {
                    if (attributes[i].GetType() != attribute) continue;
                    string name = method.DeclaringType.FullName + "." + method.Name + "." + i;
                    object[] parameters = attributes[i] is nanoFramework.TestFramework.DataRowAttribute row ? row.MethodParameters : null;
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        method.Invoke(null, parameters);
                        if (!fixture) Add(results, log, name, Outcome.Passed, null, watch.Elapsed.TotalMilliseconds, false);
                    }
                    catch (Exception e)
                    {
                        Exception inner = e is TargetInvocationException && e.InnerException != null ? e.InnerException : e;
                        if (inner.GetType() == typeof(nanoFramework.TestFramework.SkipTestException))
                        {
                            Add(results, log, name, Outcome.Skipped, inner.Message, watch.Elapsed.TotalMilliseconds, fixture);
                            if (attribute == typeof(nanoFramework.TestFramework.SetupAttribute)) return false;
                        }
                        else
                        {
                            Add(results, log, name, Outcome.Failed, inner.GetType().Name + ": " + inner.Message, watch.Elapsed.TotalMilliseconds, fixture);
                        }
                    }
                }
            }
            return true;
        }

        static void Add(List<Result> results, TextWriter log, string name, Outcome outcome, string message, double ms, bool fixture)
        {
            if (fixture && outcome == Outcome.Skipped) { log.WriteLine("Setup skipped," + name + "," + message); return; }
            results.Add(new Result { Name = name, Outcome = outcome, Message = message, Milliseconds = ms, Fixture = fixture });
            log.WriteLine("Test " + outcome.ToString().ToLowerInvariant() + "," + name + "," + (outcome == Outcome.Passed ? ms.ToString("0.0") + " ms" : message));
        }
    }

    /// <summary>A minimal Visual Studio .trx: the counters build/test.sh reads, and one result per test.</summary>
    static class Trx
    {
        public static void Write(string path, List<Result> results)
        {
            XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
            int passed = results.Count(r => r.Outcome == Outcome.Passed), failed = results.Count(r => r.Outcome == Outcome.Failed);
            var doc = new XDocument(new XElement(ns + "TestRun", new XAttribute("name", "tests/Device on .NET (Warp.DeviceRunner)"),
                new XElement(ns + "Results", results.Select(r => new XElement(ns + "UnitTestResult",
                    new XAttribute("testName", r.Name), new XAttribute("outcome", r.Outcome == Outcome.Skipped ? "NotExecuted" : r.Outcome.ToString()),
                    new XAttribute("duration", TimeSpan.FromMilliseconds(r.Milliseconds).ToString("c")),
                    r.Message == null ? null : new XElement(ns + "Output", new XElement(ns + "ErrorInfo", new XElement(ns + "Message", r.Message)))))),
                new XElement(ns + "ResultSummary", new XAttribute("outcome", failed == 0 ? "Completed" : "Failed"),
                    new XElement(ns + "Counters", new XAttribute("total", results.Count), new XAttribute("executed", passed + failed),
                        new XAttribute("passed", passed), new XAttribute("failed", failed)))));
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path)));
            doc.Save(path);
        }
    }
}
