using Warp.Tools.DeviceCheck;

// Usage: DeviceCheck <assembly.dll>...
// Every assembly named on the command line is one of our device assemblies, so they may
// reference each other; anything else except mscorlib is refused.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: DeviceCheck <device assembly.dll>...");
    return 2;
}
var allowed = new HashSet<string>(args.Select(a => Path.GetFileNameWithoutExtension(a)));
int bad = 0;
foreach (var path in args)
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
