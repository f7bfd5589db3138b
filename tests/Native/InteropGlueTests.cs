using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Warp.Native.Tests
{
    /// <summary>
    /// The ESP-IDF interop glue (hal/Esp32/native/interop), which cannot be compiled here, is held to
    /// the identity the runtime checks at boot (interop.json, itself held to the device build's
    /// Warp.Native.dll by tests/Esp32/InteropIdentityTests): the lookup table lists every stub in
    /// declaration order, the assembly record carries the name, checksum and native version, every
    /// stub is declared and defined once, and each calls the C function tagged with its method.
    /// </summary>
    public class InteropGlueTests
    {
        static string Dir => Path.Combine(NativeBuild.SourceDir, "interop");

        [Fact]
        public void TheLookupTableAndAssemblyRecordAreInteropJsons()
        {
            var j = JsonDocument.Parse(File.ReadAllText(Path.Combine(NativeBuild.SourceDir, "interop.json"))).RootElement;
            var stubs = j.GetProperty("stubs").EnumerateArray().Select(s => s.GetString()).ToList();
            string cpp = File.ReadAllText(Path.Combine(Dir, "Warp_Native.cpp"));
            var table = Regex.Matches(cpp, @"^\s+(Library_\w+::\w+),$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(stubs, table);
            var record = Regex.Match(cpp, @"g_CLR_AssemblyNative_Warp_Native =\s*\{\s*""([^""]+)"",\s*(0x[0-9A-F]+),\s*method_lookup,\s*\{ (\d+), (\d+), (\d+), (\d+) \}");
            Assert.True(record.Success, "no assembly record in Warp_Native.cpp");
            Assert.Equal(j.GetProperty("assembly").GetString(), record.Groups[1].Value);
            Assert.Equal(j.GetProperty("checksum").GetString(), record.Groups[2].Value);
            Assert.Equal(j.GetProperty("nativeVersion").GetString(), string.Join(".", Enumerable.Range(3, 4).Select(i => record.Groups[i].Value)));
        }

        [Fact]
        public void EveryStubIsDeclaredDefinedOnceAndCallsItsCFunction()
        {
            var j = JsonDocument.Parse(File.ReadAllText(Path.Combine(NativeBuild.SourceDir, "interop.json"))).RootElement;
            string header = File.ReadAllText(Path.Combine(Dir, "Warp_Native.h"));
            string stubsCpp = File.ReadAllText(Path.Combine(Dir, "Warp_Native_Warp_Native_Interop.cpp"));
            var cFunctions = InteropDeclarationTests.CFunctions(File.ReadAllText(Path.Combine(NativeBuild.SourceDir, "warp_native.h")));
            foreach (var stub in j.GetProperty("stubs").EnumerateArray().Select(s => s.GetString()))
            {
                string name = stub.Split("::")[1];
                Assert.Contains("NANOCLR_NATIVE_DECLARE(" + name + ");", header);
                var definitions = Regex.Matches(stubsCpp, @"HRESULT Stubs::" + Regex.Escape(name) + @"\(CLR_RT_StackFrame &stack\)\s*\{(.*?)\n\}", RegexOptions.Singleline);
                Assert.True(definitions.Count == 1, name + " is defined " + definitions.Count + " times");
                string method = name.Substring(0, name.IndexOf("___"));
                var c = cFunctions.Single(f => f.Tag == method);
                Assert.True(definitions[0].Groups[1].Value.Contains(c.Name + "("), name + " does not call " + c.Name);
            }
        }
    }
}
