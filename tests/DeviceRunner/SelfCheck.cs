using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using nanoFramework.TestFramework;

namespace Warp.DeviceRunner.Planted
{
    // Planted classes for --self-check only (another namespace: the normal run never sees them).
    [TestClass]
    public static class Mixed
    {
        [TestMethod] public static void Passes() { Assert.AreEqual(4, 2 + 2); }
        [TestMethod] public static void FailsAnAssert() { Assert.AreEqual(5, 2 + 2, "planted"); }
        [TestMethod] public static void Throws() { throw new InvalidOperationException("planted"); }
        [TestMethod] public static void Skips() { Assert.SkipTest("planted"); }
        [DataRow(1, 1)]
        [DataRow(1, 2)]
        public static void Rows(int a, int b) { Assert.AreEqual(a, b); }
    }

    [TestClass]
    public static class SkippedBySetup
    {
        [Setup] public static void NoBoard() { Assert.SkipTest("no board"); }
        [TestMethod] public static void NeverRuns() { throw new InvalidOperationException("ran after a skipping [Setup]"); }
    }
}

namespace Warp.DeviceRunner
{
    public static class SelfCheck
    {
        public static int Run(string contractPath)
        {
            int problems = 0;
            var results = Launcher.Run(typeof(SelfCheck).Assembly, "Warp.DeviceRunner.Planted", Console.Out);
            var expected = new Dictionary<string, Outcome>
            {
                ["Warp.DeviceRunner.Planted.Mixed.Passes.0"] = Outcome.Passed,
                ["Warp.DeviceRunner.Planted.Mixed.FailsAnAssert.0"] = Outcome.Failed,
                ["Warp.DeviceRunner.Planted.Mixed.Throws.0"] = Outcome.Failed,
                ["Warp.DeviceRunner.Planted.Mixed.Skips.0"] = Outcome.Skipped,
                ["Warp.DeviceRunner.Planted.Mixed.Rows.0"] = Outcome.Passed,
                ["Warp.DeviceRunner.Planted.Mixed.Rows.1"] = Outcome.Failed,
                ["Warp.DeviceRunner.Planted.SkippedBySetup.NeverRuns.0"] = Outcome.Skipped,
            };
            foreach (var kv in expected)
            {
                var r = results.FirstOrDefault(x => x.Name == kv.Key);
                if (r == null || r.Outcome != kv.Value)
                {
                    Console.WriteLine("self-check: " + kv.Key + " should be " + kv.Value + ", was " + (r == null ? "missing" : r.Outcome.ToString()));
                    problems++;
                }
            }
            if (results.Count != expected.Count) { Console.WriteLine("self-check: " + results.Count + " results, expected " + expected.Count); problems++; }

            problems += CompareBoards();

            var mine = ShimSurface();
            var theirs = ContractSurface(contractPath);
            foreach (var s in theirs.Except(mine).OrderBy(x => x, StringComparer.Ordinal)) { Console.WriteLine("self-check: in the contract, not in the runner's TestFramework: " + s); problems++; }
            foreach (var s in mine.Except(theirs).OrderBy(x => x, StringComparer.Ordinal)) { Console.WriteLine("self-check: in the runner's TestFramework, not in the contract: " + s); problems++; }
            Console.WriteLine("self-check: " + expected.Count + " planted outcomes, " + theirs.Count + " contract members compared: " + (problems == 0 ? "ok" : problems + " problem(s)"));
            return problems == 0 ? 0 : 1;
        }

        /// <summary>tests/Device/BoardTables.cs against firmware/Esp32/Boards.cs: the same boards, every RouterSizes field, budget and allowance.</summary>
        static int CompareBoards()
        {
            int problems = 0;
            var boards = Warp.Router.Esp32.Boards.All();
            if (boards.Length != Warp.Device.Tests.BoardTables.Ids.Length) { Console.WriteLine("self-check: Boards.cs has " + boards.Length + " boards, BoardTables " + Warp.Device.Tests.BoardTables.Ids.Length); problems++; }
            foreach (var b in boards)
            {
                var mine = Warp.Device.Tests.BoardTables.Sizes(b.Id);
                if (mine == null) { Console.WriteLine("self-check: BoardTables lacks " + b.Id); problems++; continue; }
                foreach (FieldInfo f in typeof(Warp.Firmware.RouterSizes).GetFields(BindingFlags.Public | BindingFlags.Instance))
                    if (!Equals(f.GetValue(mine), f.GetValue(b.Sizes))) { Console.WriteLine("self-check: " + b.Id + " " + f.Name + ": BoardTables " + f.GetValue(mine) + ", Boards.cs " + f.GetValue(b.Sizes)); problems++; }
                if (Warp.Device.Tests.BoardTables.HeapBudget(b.Id) != b.HeapBudget || Warp.Device.Tests.BoardTables.Allowance(b.Id) != b.Allowance)
                { Console.WriteLine("self-check: " + b.Id + " budget or allowance differs"); problems++; }
            }
            return problems;
        }

        static readonly string[] Namespaces = { "nanoFramework.TestFramework", "TestFrameworkShared" };

        /// <summary>"Type::Member(param types)->return" for every public type and public declared member of the runner's TestFramework.</summary>
        static HashSet<string> ShimSurface()
        {
            var set = new HashSet<string>();
            foreach (Type t in typeof(SelfCheck).Assembly.GetTypes().Where(t => t.IsPublic && Namespaces.Contains(t.Namespace)))
            {
                set.Add(t.FullName + (t.BaseType != null ? " : " + t.BaseType.FullName : ""));
                foreach (MethodBase m in t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly).Cast<MethodBase>()
                    .Concat(t.GetConstructors(BindingFlags.Public | BindingFlags.Instance)))
                {
                    string ret = m is MethodInfo mi ? mi.ReturnType.FullName : "System.Void";
                    set.Add(t.FullName + "::" + m.Name + "(" + string.Join(",", m.GetParameters().Select(p => p.ParameterType.FullName)) + ")->" + ret);
                }
            }
            return set;
        }

        /// <summary>The same strings read from the contract assembly's metadata (built against nanoFramework's mscorlib).</summary>
        static HashSet<string> ContractSurface(string path)
        {
            var set = new HashSet<string>();
            using var pe = new PEReader(File.OpenRead(path));
            MetadataReader md = pe.GetMetadataReader();
            var names = new TypeNames(md);
            foreach (TypeDefinitionHandle h in md.TypeDefinitions)
            {
                TypeDefinition t = md.GetTypeDefinition(h);
                if ((t.Attributes & System.Reflection.TypeAttributes.VisibilityMask) != System.Reflection.TypeAttributes.Public) continue;
                string name = md.GetString(t.Namespace) + "." + md.GetString(t.Name);
                set.Add(name + (t.BaseType.IsNil ? "" : " : " + names.Of(t.BaseType)));
                foreach (MethodDefinitionHandle mh in t.GetMethods())
                {
                    MethodDefinition m = md.GetMethodDefinition(mh);
                    if ((m.Attributes & System.Reflection.MethodAttributes.MemberAccessMask) != System.Reflection.MethodAttributes.Public) continue;
                    MethodSignature<string> sig = m.DecodeSignature(names, null);
                    set.Add(name + "::" + md.GetString(m.Name) + "(" + string.Join(",", sig.ParameterTypes) + ")->" + sig.ReturnType);
                }
            }
            return set;
        }

        sealed class TypeNames : ISignatureTypeProvider<string, object>
        {
            readonly MetadataReader md;
            public TypeNames(MetadataReader md) { this.md = md; }
            public string Of(EntityHandle h) => h.Kind == HandleKind.TypeDefinition ? GetTypeFromDefinition(md, (TypeDefinitionHandle)h, 0) : GetTypeFromReference(md, (TypeReferenceHandle)h, 0);
            public string GetPrimitiveType(PrimitiveTypeCode c) => c switch
            {
                PrimitiveTypeCode.Boolean => "System.Boolean", PrimitiveTypeCode.Byte => "System.Byte", PrimitiveTypeCode.SByte => "System.SByte",
                PrimitiveTypeCode.Char => "System.Char", PrimitiveTypeCode.Int16 => "System.Int16", PrimitiveTypeCode.UInt16 => "System.UInt16",
                PrimitiveTypeCode.Int32 => "System.Int32", PrimitiveTypeCode.UInt32 => "System.UInt32", PrimitiveTypeCode.Int64 => "System.Int64",
                PrimitiveTypeCode.UInt64 => "System.UInt64", PrimitiveTypeCode.Single => "System.Single", PrimitiveTypeCode.Double => "System.Double",
                PrimitiveTypeCode.String => "System.String", PrimitiveTypeCode.Object => "System.Object", PrimitiveTypeCode.Void => "System.Void",
                _ => c.ToString(),
            };
            public string GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle h, byte k) { var t = r.GetTypeDefinition(h); return r.GetString(t.Namespace) + "." + r.GetString(t.Name); }
            public string GetTypeFromReference(MetadataReader r, TypeReferenceHandle h, byte k) { var t = r.GetTypeReference(h); return r.GetString(t.Namespace) + "." + r.GetString(t.Name); }
            public string GetSZArrayType(string e) => e + "[]";
            public string GetArrayType(string e, ArrayShape s) => e + "[" + new string(',', s.Rank - 1) + "]";
            public string GetByReferenceType(string e) => e + "&";
            public string GetPointerType(string e) => e + "*";
            public string GetPinnedType(string e) => e;
            public string GetGenericInstantiation(string g, ImmutableArray<string> a) => g + "<" + string.Join(",", a) + ">";
            public string GetGenericMethodParameter(object c, int i) => "!!" + i;
            public string GetGenericTypeParameter(object c, int i) => "!" + i;
            public string GetFunctionPointerType(MethodSignature<string> s) => "fnptr";
            public string GetModifiedType(string m, string u, bool r) => u;
            public string GetTypeFromSpecification(MetadataReader r, object c, TypeSpecificationHandle h, byte k) => r.GetTypeSpecification(h).DecodeSignature(this, c);
        }
    }
}
