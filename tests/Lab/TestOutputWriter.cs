using System;
using System.IO;
using Xunit.Abstractions;

namespace Warp.Lab.Tests
{
    /// <summary>The lab's log lines into xunit's test output (a line written after the test ended is dropped).</summary>
    public sealed class TestOutputWriter : StringWriter
    {
        readonly ITestOutputHelper o;
        public TestOutputWriter(ITestOutputHelper o) { this.o = o; }
        public override void WriteLine(string value) { try { o.WriteLine(value ?? ""); } catch (InvalidOperationException) { } }
    }
}
