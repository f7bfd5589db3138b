using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Xunit;

namespace Warp.Native.Tests
{
    /// <summary>
    /// The managed interop declarations (hal/Esp32/Interop/Interop.cs) and the C functions
    /// (hal/Esp32/native/warp_native.h) stay in step: every extern method has exactly one C function
    /// tagged with its name, and the parameters agree: an array and the int offset after it become one
    /// pointer to the element type, bool/int/uint/long/ulong become bool/int32_t/uint32_t/int64_t/uint64_t.
    /// The portable functions must also be exported by the host library.
    /// </summary>
    public class InteropDeclarationTests
    {
        static string InteropSource => File.ReadAllText(Path.Combine(NativeBuild.Root, "hal", "Esp32", "Interop", "Interop.cs"));
        static string Header => File.ReadAllText(Path.Combine(NativeBuild.SourceDir, "warp_native.h"));

        public sealed class Method
        {
            public string Name, Return;
            public List<string> Parameters = new List<string>();
        }

        public static List<Method> ManagedMethods(string source)
        {
            var list = new List<Method>();
            foreach (Match m in Regex.Matches(source, @"public static extern (\w+(?:\[\])?) (\w+)\(([^)]*)\);", RegexOptions.Singleline))
            {
                var method = new Method { Name = m.Groups[2].Value, Return = CType(m.Groups[1].Value) };
                var ps = m.Groups[3].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
                for (int i = 0; i < ps.Count; i++)
                {
                    string type = ps[i][0];
                    if (type.EndsWith("[]"))
                    {
                        method.Parameters.Add(CType(type.Substring(0, type.Length - 2)) + "*");
                        if (i + 1 < ps.Count && ps[i + 1][0] == "int" && ps[i + 1][1].EndsWith("ffset", StringComparison.Ordinal))
                            i++; // the array's offset: the stub passes a pointer to that element
                    }
                    else
                    {
                        method.Parameters.Add(CType(type));
                    }
                }
                list.Add(method);
            }
            return list;
        }

        static string CType(string managed) => managed switch
        {
            "void" => "void", "bool" => "bool", "byte" => "uint8_t", "int" => "int32_t", "uint" => "uint32_t",
            "long" => "int64_t", "ulong" => "uint64_t",
            _ => throw new NotSupportedException("no C type for " + managed),
        };

        public sealed class CFunction
        {
            public string Tag, Name, Return;
            public List<string> Parameters = new List<string>();
        }

        public static List<CFunction> CFunctions(string header)
        {
            var list = new List<CFunction>();
            foreach (Match m in Regex.Matches(header, @"/\* Interop\.(\w+) \*/ WARP_EXPORT ([\w ]+?)\s*(\w+)\(([^)]*)\);", RegexOptions.Singleline))
            {
                var f = new CFunction { Tag = m.Groups[1].Value, Return = m.Groups[2].Value.Trim(), Name = m.Groups[3].Value };
                string ps = m.Groups[4].Value.Trim();
                if (ps != "void")
                    foreach (string p in ps.Split(','))
                    {
                        string t = Regex.Replace(p, @"\bconst\b", "").Trim();
                        bool pointer = t.Contains('*');
                        t = t.Replace("*", " ").Trim();
                        string type = t.Substring(0, t.LastIndexOf(' ')).Trim();
                        f.Parameters.Add(type + (pointer ? "*" : ""));
                    }
                list.Add(f);
            }
            return list;
        }

        /// <summary>Every disagreement between the two, one line each; empty when they are in step.</summary>
        public static List<string> Compare(List<Method> managed, List<CFunction> c)
        {
            var problems = new List<string>();
            foreach (var m in managed)
            {
                var matches = c.Where(f => f.Tag == m.Name).ToList();
                if (matches.Count != 1)
                {
                    problems.Add("Interop." + m.Name + ": " + matches.Count + " C functions tagged with it");
                    continue;
                }
                var f = matches[0];
                if (f.Return != m.Return)
                    problems.Add(m.Name + ": returns " + m.Return + " in C# but " + f.Return + " in C (" + f.Name + ")");
                if (!f.Parameters.SequenceEqual(m.Parameters))
                    problems.Add(m.Name + ": (" + string.Join(", ", m.Parameters) + ") expected, " + f.Name + " has (" + string.Join(", ", f.Parameters) + ")");
            }
            foreach (var f in c)
                if (!managed.Any(m => m.Name == f.Tag))
                    problems.Add(f.Name + " is tagged Interop." + f.Tag + ", which Interop.cs does not declare");
            return problems;
        }

        [Fact]
        public void EveryInteropMethodHasItsCFunctionWithAgreeingParameters()
        {
            var managed = ManagedMethods(InteropSource);
            var c = CFunctions(Header);
            Assert.True(managed.Count >= 20, "Interop.cs parsed to " + managed.Count + " methods");
            Assert.Equal(managed.Count, c.Count);
            var problems = Compare(managed, c);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Fact]
        public void TheComparisonCatchesAWrongParameterAMissingFunctionAndAStrayTag()
        {
            var managed = ManagedMethods(InteropSource);
            string header = Header;
            // int32_t where the managed side passes a ulong counter.
            var wrong = Compare(managed, CFunctions(header.Replace("uint64_t counter, const uint8_t *aad", "int32_t counter, const uint8_t *aad")));
            Assert.Contains(wrong, p => p.StartsWith("AeadSeal:"));
            var missing = Compare(managed, CFunctions(header.Replace("/* Interop.FastPathFlush */", "/* (removed) */")));
            Assert.Contains(missing, p => p.StartsWith("Interop.FastPathFlush:"));
            var stray = Compare(managed, CFunctions(header.Replace("/* Interop.LanSend */", "/* Interop.LanTransmit */")));
            Assert.Contains(stray, p => p.Contains("Interop.LanTransmit"));
        }

        [Fact]
        public void TheHostLibraryExportsEveryPortableFunction()
        {
            IntPtr lib = NativeLibrary.Load(NativeBuild.Ensure());
            var portable = CFunctions(Header).Where(f => f.Name.StartsWith("warp_aead") || f.Name.StartsWith("warp_x25519") || f.Name.StartsWith("warp_fastpath")).ToList();
            Assert.True(portable.Count >= 15);
            foreach (var f in portable)
                Assert.True(NativeLibrary.TryGetExport(lib, f.Name, out _), f.Name + " is not exported by " + NativeBuild.Ensure());
        }
    }
}
