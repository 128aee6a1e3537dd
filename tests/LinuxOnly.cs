// The tests drive a Linux-only tool (ptrace, /proc, gdb).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
