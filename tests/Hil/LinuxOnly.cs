// The suite drives the Linux host (namespaces, tcpdump, dhclient) and the test machine: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
