using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace Warp.Hil.Tests
{
    /// <summary>
    /// The suite's results as a JUnit-style XML (one testcase per scenario, skipped with its reason)
    /// and a short Markdown table, written to WARP_HIL_RESULTS (default /tmp/warp-hil) when the run
    /// ends, so a bench run can be set beside CI's.
    /// </summary>
    public static class HilResults
    {
        public sealed class Entry
        {
            public string Scenario, Outcome, Detail;
            public double Seconds;
        }

        static readonly List<Entry> entries = new List<Entry>();

        public static void Add(string scenario, string outcome, double seconds, string detail)
        {
            lock (entries) entries.Add(new Entry { Scenario = scenario, Outcome = outcome, Seconds = seconds, Detail = detail ?? "" });
        }

        public static string Directory { get { return Environment.GetEnvironmentVariable("WARP_HIL_RESULTS") ?? Path.Combine(Path.GetTempPath(), "warp-hil"); } }

        public static void Write(string target)
        {
            List<Entry> all;
            lock (entries) all = entries.OrderBy(e => e.Scenario, StringComparer.Ordinal).ToList();
            if (all.Count == 0) return;
            System.IO.Directory.CreateDirectory(Directory);
            var suite = new XElement("testsuite",
                new XAttribute("name", "warp-hil " + target), new XAttribute("tests", all.Count),
                new XAttribute("failures", all.Count(e => e.Outcome == "failed")), new XAttribute("skipped", all.Count(e => e.Outcome == "skipped")),
                new XAttribute("time", all.Sum(e => e.Seconds).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)),
                new XAttribute("timestamp", DateTime.UtcNow.ToString("s")),
                all.Select(e => new XElement("testcase", new XAttribute("classname", "hil." + target), new XAttribute("name", e.Scenario),
                    new XAttribute("time", e.Seconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)),
                    e.Outcome == "failed" ? new XElement("failure", new XAttribute("message", e.Detail)) : null,
                    e.Outcome == "skipped" ? new XElement("skipped", new XAttribute("message", e.Detail)) : null,
                    e.Outcome == "passed" && e.Detail.Length > 0 ? new XElement("system-out", e.Detail) : null)));
            new XDocument(new XElement("testsuites", suite)).Save(Path.Combine(Directory, "hil-" + target + ".xml"));
            var table = new System.Text.StringBuilder();
            table.AppendLine("| scenario | " + target + " | s | detail |");
            table.AppendLine("|---|---|---:|---|");
            foreach (var e in all)
                table.AppendLine("| " + e.Scenario + " | " + e.Outcome + " | " + e.Seconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " | " + e.Detail.Replace("|", "/").Replace("\n", " ") + " |");
            File.WriteAllText(Path.Combine(Directory, "hil-" + target + ".md"), table.ToString());
        }
    }
}
