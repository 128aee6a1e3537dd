// host works through ptrace, /proc and gdb: it is a Linux tool.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
