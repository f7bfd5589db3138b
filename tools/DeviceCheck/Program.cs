using Warp.Tools.DeviceCheck;

// Usage: DeviceCheck [--contract <contract.dll>]... <assembly.dll>...
// Every assembly named on the command line is one of our device assemblies, so they may
// reference each other; anything else except mscorlib is refused. An assembly given with
// --contract is a compile-time contract of a nanoFramework package (build/device/Contracts):
// our assemblies may reference it by name; it is not checked itself (it is never shipped).
var targets = new List<string>();
var contracts = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--contract" && i + 1 < args.Length)
        contracts.Add(args[++i]);
    else
        targets.Add(args[i]);
}
if (targets.Count == 0)
{
    Console.Error.WriteLine("usage: DeviceCheck [--contract <contract.dll>]... <device assembly.dll>...");
    return 2;
}
foreach (var c in contracts)
{
    if (!File.Exists(c))
    {
        Console.Error.WriteLine($"DeviceCheck: {c}: no such file");
        return 2;
    }
}
var allowed = new HashSet<string>(targets.Concat(contracts).Select(a => Path.GetFileNameWithoutExtension(a)));
int bad = 0;
foreach (var path in targets)
{
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"DeviceCheck: {path}: no such file");
        return 2;
    }
    var findings = IlChecker.Check(File.ReadAllBytes(path), allowed);
    foreach (var f in findings)
        Console.Error.WriteLine("DeviceCheck: error: " + f);
    Console.WriteLine($"DeviceCheck: {Path.GetFileName(path)}: {(findings.Count == 0 ? "ok" : findings.Count + " problem(s)")}");
    bad += findings.Count;
}
return bad == 0 ? 0 : 1;
