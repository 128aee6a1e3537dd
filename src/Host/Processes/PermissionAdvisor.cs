using Host.Abstractions;
using Host.Linux;

namespace Host.Processes;

/// <summary>Explains why the kernel will not let us trace a process, in the user's terms.</summary>
internal static class PermissionAdvisor
{
    private const int CapSysPtrace = 19;

    public static CapabilityException Denied(int pid, int targetUid, string targetUser)
    {
        var euid = Libc.GetEuid();
        var me = UserNames.Of(euid);
        if (euid != 0 && euid != targetUid)
            return new CapabilityException(ExitCodes.PermissionDenied,
                $"permission denied: process {pid} belongs to {targetUser} (uid {targetUid}) and you are {me} (uid {euid}); tracing another user's process needs root (CAP_SYS_PTRACE)",
                $"run it as root: sudo host ... --pid {pid}");
        var scope = ProcFs.TryRead("/proc/sys/kernel/yama/ptrace_scope")?.Trim();
        if (euid != 0 && scope is not null && scope != "0")
            return new CapabilityException(ExitCodes.PermissionDenied,
                $"permission denied: kernel.yama.ptrace_scope is {scope}, which lets a process trace only its own children{(scope == "1" ? "" : " (or nothing at all)")}",
                scope == "1" ? "run host as root, or allow tracing with: sudo sysctl kernel.yama.ptrace_scope=0" : "run host as root (scope 3 forbids tracing until reboot)");
        if (!HasCapability(CapSysPtrace) && InContainer())
            return new CapabilityException(ExitCodes.PermissionDenied,
                "permission denied: this container has no CAP_SYS_PTRACE capability, so it may not trace processes",
                "start the container with --cap-add=SYS_PTRACE (and a seccomp profile that allows ptrace)");
        return new CapabilityException(ExitCodes.PermissionDenied,
            $"permission denied: the kernel refused to let {me} (uid {euid}) trace process {pid} of {targetUser} (uid {targetUid})",
            "the process may be setuid or marked non-dumpable, or a security module (SELinux, AppArmor, seccomp) forbids ptrace; try as root");
    }

    private static bool HasCapability(int capability)
    {
        var hex = ProcFs.StatusField(Environment.ProcessId, "CapEff");
        return hex is not null && ulong.TryParse(hex, System.Globalization.NumberStyles.HexNumber, null, out var mask)
            && (mask & (1UL << capability)) != 0;
    }

    private static bool InContainer() =>
        File.Exists("/.dockerenv") || File.Exists("/run/.containerenv")
        || (ProcFs.TryRead("/proc/1/cgroup") ?? "").Contains("docker", StringComparison.Ordinal);
}
