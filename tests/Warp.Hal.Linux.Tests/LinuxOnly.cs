// These tests drive the Linux host's adapters: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
