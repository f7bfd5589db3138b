using System;
using Warp.Router.Linux;
using Xunit;

namespace Warp.Lab.Tests
{
    /// <summary>Whether the lab can run here: root and the programs it drives.</summary>
    public static class LabRequirements
    {
        /// <summary>
        /// Skips the test where the lab cannot run (not root, a tool missing), except in CI,
        /// where a missing prerequisite is a failure: build/test.sh installs everything.
        /// </summary>
        public static void RequireLab(params string[] programs)
        {
            string missing = Shell.IsRoot ? null : "root";
            foreach (var p in programs)
                if (missing == null && !Shell.Has(p)) missing = p;
            if (missing == null) return;
            if (Environment.GetEnvironmentVariable("CI") == "true")
                Assert.Fail("the lab needs " + missing + " (build/test.sh installs it)");
            Skip.If(true, "the lab needs " + missing);
        }
    }
}
