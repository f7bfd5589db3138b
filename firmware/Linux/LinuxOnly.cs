// This assembly is the Linux host's: file modes, flock, netlink and AF_PACKET are Linux APIs.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
