using System.Reflection;

// The native component declares the same version (hal/Esp32/native/interop.json); the runtime
// refuses the assembly when the image carries another one or another declaration checksum.
[assembly: AssemblyNativeVersion("1.1.0.0")]
[assembly: AssemblyVersion("1.0.0.0")]
