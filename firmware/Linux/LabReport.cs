using System.Collections.Generic;
using System.IO;

namespace Warp.Router.Linux
{
    /// <summary>The lab's steps and what each found; printed as it goes, and kept for tests/Lab.</summary>
    public sealed class LabReport
    {
        public sealed class Step
        {
            public string Name;
            public bool Passed;
            public string Detail;
        }

        readonly TextWriter log;
        public readonly List<Step> Steps = new List<Step>();
        public readonly Dictionary<string, string> Values = new Dictionary<string, string>();

        public LabReport(TextWriter log) { this.log = log; }

        public bool AllPassed
        {
            get
            {
                if (Steps.Count == 0) return false;
                foreach (var s in Steps) if (!s.Passed) return false;
                return true;
            }
        }

        public bool Check(string name, bool passed, string detail)
        {
            Steps.Add(new Step { Name = name, Passed = passed, Detail = detail });
            log.WriteLine((passed ? "[ ok ] " : "[FAIL] ") + name + (string.IsNullOrEmpty(detail) ? "" : ": " + detail));
            log.Flush();
            return passed;
        }

        public Step Find(string name) { return Steps.Find(s => s.Name == name); }
    }
}
