using System.Xml.Linq;
using Xunit;

namespace Warp.Tools.DeviceCheck.Tests;

/// <summary>
/// Keeps the real nanoFramework projects (.nfproj + packages.config) in step with the device
/// build: the same sources, the same mscorlib package and version, the same assembly name.
/// build/sync_nfproj.py rewrites the source lists.
/// </summary>
public class NfprojTests
{
    static string Root => IlCheckerTests.RepoRoot;

    public static IEnumerable<object[]> DeviceProjects() =>
        Directory.GetFiles(Path.Combine(Root, "build", "device"), "*.Device.csproj", SearchOption.AllDirectories)
            .Select(p => new object[] { Path.GetRelativePath(Root, p) });

    static XElement[] Elements(XDocument doc, string name) => doc.Descendants().Where(e => e.Name.LocalName == name).ToArray();

    static string SourceDir(string deviceCsproj)
    {
        var doc = XDocument.Load(Path.Combine(Root, deviceCsproj));
        var dir = Elements(doc, "DeviceSourceDir").Single().Value.Replace("$(RepoRoot)", "");
        return Path.Combine(Root, dir);
    }

    static string NanoVersion()
    {
        var props = XDocument.Load(Path.Combine(Root, "build", "device", "Device.Build.props"));
        return Elements(props, "NanoCoreLibraryVersion").Single().Value;
    }

    [Fact]
    public void ThereAreDeviceProjects() => Assert.NotEmpty(DeviceProjects());

    [Theory]
    [MemberData(nameof(DeviceProjects))]
    public void NfprojListsExactlyTheSourcesTheDeviceBuildCompiles(string deviceCsproj)
    {
        var dir = SourceDir(deviceCsproj);
        var nfproj = Directory.GetFiles(dir, "*.nfproj").Single();
        var listed = Elements(XDocument.Load(nfproj), "Compile").Select(e => e.Attribute("Include")!.Value.Replace('\\', '/')).ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count());
        var compiled = SourcesOf(dir).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).ToList();
        var missing = compiled.Except(listed).OrderBy(x => x).ToList();
        var extra = listed.Except(compiled).OrderBy(x => x).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{Path.GetFileName(nfproj)} is out of step with the device build (run python3 build/sync_nfproj.py).\n" +
            $"Compiled but not listed: {string.Join(", ", missing)}\nListed but not compiled: {string.Join(", ", extra)}");
    }

    /// <summary>
    /// The sources of a device project: every .cs under its folder but bin/, obj/ and subfolders
    /// holding a project of their own (hal/Linux, hal/Esp32), as the device build's Exclude says.
    /// </summary>
    static IEnumerable<string> SourcesOf(string dir)
    {
        foreach (var f in Directory.GetFiles(dir, "*.cs"))
            yield return f;
        foreach (var sub in Directory.GetDirectories(dir))
        {
            var name = Path.GetFileName(sub);
            if (name == "bin" || name == "obj" || Directory.GetFiles(sub, "*.csproj").Length + Directory.GetFiles(sub, "*.nfproj").Length > 0)
                continue;
            foreach (var f in SourcesOf(sub))
                yield return f;
        }
    }

    [Theory]
    [MemberData(nameof(DeviceProjects))]
    public void NfprojAndPackagesConfigUseTheDeviceBuildsMscorlib(string deviceCsproj)
    {
        var dir = SourceDir(deviceCsproj);
        var version = NanoVersion();
        var nfproj = XDocument.Load(Directory.GetFiles(dir, "*.nfproj").Single());
        var packages = XDocument.Load(Path.Combine(dir, "packages.config"));
        var core = Elements(packages, "package").Single(p => p.Attribute("id")!.Value == "nanoFramework.CoreLibrary");
        Assert.Equal(version, core.Attribute("version")!.Value);
        Assert.Equal("netnano1.0", core.Attribute("targetFramework")!.Value);
        var mscorlib = Elements(nfproj, "Reference").Single(r => r.Attribute("Include")!.Value == "mscorlib");
        Assert.Contains($"nanoFramework.CoreLibrary.{version}", Elements(new XDocument(mscorlib), "HintPath").Single().Value);
        // Every package the nfproj references by HintPath is in packages.config, and vice versa.
        var hinted = Elements(nfproj, "HintPath").Select(h => PackageFolder(h.Value)).ToHashSet();
        var configured = Elements(packages, "package").Select(p => p.Attribute("id")!.Value + "." + p.Attribute("version")!.Value).ToHashSet();
        Assert.Equal(configured.OrderBy(x => x), hinted.OrderBy(x => x));
    }

    /// <summary>The package folder of a HintPath: the segment after "packages" (..\packages\X.1.2.3\lib\Y.dll, ..\..\packages\...).</summary>
    static string PackageFolder(string hintPath)
    {
        var parts = hintPath.Split('\\', '/');
        int i = Array.IndexOf(parts, "packages");
        return i >= 0 && i + 1 < parts.Length ? parts[i + 1] : hintPath;
    }

    /// <summary>
    /// A device project compiled against contract assemblies (build/device/Contracts) lists, in its
    /// packages.config, each contract's package at exactly the version the contract mirrors, and its
    /// .nfproj references that package's assembly.
    /// </summary>
    [Theory]
    [MemberData(nameof(DeviceProjects))]
    public void ContractsMirrorThePackagesTheNfprojUses(string deviceCsproj)
    {
        var device = XDocument.Load(Path.Combine(Root, deviceCsproj));
        bool usesContracts = Elements(device, "Import").Any(i => i.Attribute("Project")!.Value.Contains("Contracts.targets"));
        var dir = SourceDir(deviceCsproj);
        var packages = Elements(XDocument.Load(Path.Combine(dir, "packages.config")), "package")
            .ToDictionary(p => p.Attribute("id")!.Value, p => p.Attribute("version")!.Value);
        var hinted = Elements(XDocument.Load(Directory.GetFiles(dir, "*.nfproj").Single()), "HintPath").Select(h => h.Value.Replace('\\', '/')).ToList();
        // The contracts a device project compiles against: those Contracts.targets lists when it imports
        // that file, and any contract project it references itself (the TestFramework's, for NFUnitTest).
        var contractsDir = Path.Combine(Root, "build", "device", "Contracts");
        var contracts = new List<string>();
        if (usesContracts)
            contracts.AddRange(Elements(XDocument.Load(Path.Combine(contractsDir, "Contracts.targets")), "ProjectReference")
                .Select(r => Path.GetFullPath(Path.Combine(contractsDir, r.Attribute("Include")!.Value.Replace("$(MSBuildThisFileDirectory)", "")))));
        contracts.AddRange(Elements(device, "ProjectReference").Select(r => r.Attribute("Include")!.Value)
            .Where(i => i.EndsWith(".Contract.csproj", StringComparison.Ordinal))
            .Select(i => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.Combine(Root, deviceCsproj))!, i))));
        if (contracts.Count == 0)
        {
            Assert.Equal(new[] { "nanoFramework.CoreLibrary" }, packages.Keys.ToArray());
            return;
        }
        Assert.All(contracts, c => Assert.True(File.Exists(c), c));
        foreach (var c in contracts)
        {
            var doc = XDocument.Load(c);
            string package = Elements(doc, "MirrorsPackage").Single().Value;
            string version = Elements(doc, "MirrorsVersion").Single().Value;
            string assembly = Elements(doc, "AssemblyName").Single().Value;
            Assert.True(packages.TryGetValue(package, out var listed), $"{deviceCsproj}: packages.config lacks {package} (mirrored by {Path.GetFileName(c)})");
            Assert.Equal(version, listed);
            Assert.Contains(hinted, h => h.EndsWith($"packages/{package}.{version}/lib/{assembly}.dll", StringComparison.Ordinal));
            Assert.Contains("CONTRACT, never shipped", File.ReadAllText(c));
        }
    }

    [Theory]
    [MemberData(nameof(DeviceProjects))]
    public void NfprojAssemblyNameMatchesTheDeviceBuild(string deviceCsproj)
    {
        var device = XDocument.Load(Path.Combine(Root, deviceCsproj));
        var nfproj = XDocument.Load(Directory.GetFiles(SourceDir(deviceCsproj), "*.nfproj").Single());
        Assert.Equal(Elements(device, "AssemblyName").Single().Value, Elements(nfproj, "AssemblyName").Single().Value);
        Assert.Equal("7.3", Elements(nfproj, "LangVersion").Single().Value);
    }
}
