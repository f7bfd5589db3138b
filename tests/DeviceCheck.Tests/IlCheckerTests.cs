using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Warp.Tools.DeviceCheck;
using Xunit;

namespace Warp.Tools.DeviceCheck.Tests;

/// <summary>
/// The IL check against small sources compiled here, by Roslyn, against nanoFramework's mscorlib
/// alone (as the device build does): known-bad sources are rejected with the offending type and
/// member named; a known-good one passes.
/// </summary>
public class IlCheckerTests
{
    static string Metadata(string key) => typeof(IlCheckerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    internal static readonly string NanoMscorlib = Metadata("NanoMscorlib");
    internal static readonly string RepoRoot = Metadata("RepoRoot");

    static byte[] Compile(string source, bool unsafeCode = false, string name = "Sample", params MetadataReference[] extra)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.CSharp7_3));
        var refs = new List<MetadataReference> { MetadataReference.CreateFromFile(NanoMscorlib) };
        refs.AddRange(extra);
        var compilation = CSharpCompilation.Create(name, new[] { tree }, refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: unsafeCode));
        using var ms = new MemoryStream();
        var result = compilation.Emit(ms);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return ms.ToArray();
    }

    static IReadOnlyList<Finding> Check(byte[] image) => IlChecker.Check(image, new HashSet<string> { "Sample", "Other" });

    [Fact]
    public void KnownGoodSourcePasses()
    {
        var image = Compile(@"
namespace Good {
  public struct View { byte[] b; int o; public static bool TryCreate(byte[] b, int o, out View v) { v = new View(); v.b = b; v.o = o; return b != null && o >= 0; }
    public int First { get { return b[o]; } } }
  public interface IPort { int Send(byte[] b, int o, int l); }
  public sealed class Table { readonly int[] slots = new int[64]; public int Get(int i) { return slots[i & 63]; }
    public string Name(ref int x) { x++; switch (x) { case 1: return ""one""; case 2: return ""two""; default: return ""many""; } } }
  public delegate void Handler(int x);
}");
        Assert.Empty(Check(image));
    }

    [Fact]
    public void RejectsGenericTypeDefinition()
    {
        var findings = Check(Compile("namespace Bad { public class Box<T> { public T Value; } }"));
        Assert.Contains(findings, f => f.Location == "Bad.Box`1" && f.Problem.Contains("generic type definition"));
        Assert.Contains(findings, f => f.Location == "Bad.Box`1.Value" && f.Problem.Contains("generic"));
    }

    [Fact]
    public void RejectsGenericMethodAndItsInstantiation()
    {
        var findings = Check(Compile(@"namespace Bad { public static class Util {
            public static T First<T>(T[] a) { return a[0]; }
            public static int Use() { return First(new int[] { 1 }); } } }"));
        Assert.Contains(findings, f => f.Location == "Bad.Util::First" && f.Problem.Contains("generic method definition"));
        Assert.Contains(findings, f => f.Location == "Bad.Util::Use" && f.Problem.Contains("generic method instantiation Bad.Util::First"));
    }

    [Fact]
    public void RejectsUseOfAGenericInstantiationInAMemberBody()
    {
        var findings = Check(Compile(@"namespace Bad {
            public class Box<T> { public T Value; }
            public static class User { public static int Get() { var b = new Box<int>(); b.Value = 3; return b.Value; } } }"));
        Assert.Contains(findings, f => f.Location == "Bad.User::Get" && f.Problem.Contains("Bad.Box`1<Int32>"));
    }

    [Fact]
    public void RejectsPointersAndUnsafeCode()
    {
        var findings = Check(Compile(@"namespace Bad { public static unsafe class Raw {
            public static int Read(byte* p) { return *p; }
            public static int Stack() { byte* s = stackalloc byte[16]; return s[0]; } } }", unsafeCode: true));
        Assert.Contains(findings, f => f.Location == "Bad.Raw::Read" && f.Problem.Contains("pointer"));
        Assert.Contains(findings, f => f.Location == "Bad.Raw::Stack" && f.Problem.Contains("localloc"));
    }

    [Fact]
    public void RejectsReferenceToAForeignAssembly()
    {
        var foreign = Compile("namespace Lib { public class Helper { public static int Two() { return 2; } } }", name: "Foreign");
        var image = Compile("namespace Bad { public static class C { public static int F() { return Lib.Helper.Two(); } } }",
            extra: MetadataReference.CreateFromImage(foreign));
        var findings = Check(image);
        Assert.Contains(findings, f => f.Location == "assembly" && f.Problem.Contains("'Foreign'"));
    }

    [Fact]
    public void AllowsReferenceToOurOwnDeviceAssembly()
    {
        var other = Compile("namespace Lib { public class Helper { public static int Two() { return 2; } } }", name: "Other");
        var image = Compile("namespace Good { public static class C { public static int F() { return Lib.Helper.Two(); } } }",
            extra: MetadataReference.CreateFromImage(other));
        Assert.Empty(Check(image));
    }

    [Fact]
    public void CommandLineExitsNonZeroOnABadAssembly()
    {
        var path = Path.Combine(Path.GetTempPath(), "devicecheck-bad-" + Guid.NewGuid().ToString("N") + ".dll");
        File.WriteAllBytes(path, Compile("namespace Bad { public class Box<T> { } }"));
        try
        {
            var main = typeof(IlChecker).Assembly.EntryPoint!;
            var stderr = new StringWriter();
            var saved = Console.Error;
            Console.SetError(stderr);
            int code;
            try { code = (int)main.Invoke(null, new object[] { new[] { path } })!; }
            finally { Console.SetError(saved); }
            Assert.Equal(1, code);
            Assert.Contains("Bad.Box`1: generic type definition", stderr.ToString());
        }
        finally { File.Delete(path); }
    }
}
