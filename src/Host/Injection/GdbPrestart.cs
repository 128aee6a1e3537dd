using Host.Injection.Gdb;
using Host.Injection.Ptrace;

namespace Host.Injection;

/// <summary>
/// Starts gdb ahead of need, so that its start-up (~70 ms) overlaps with host's, but only where it
/// is the sole transport (host-inject is missing or HOST_INJECTOR=gdb): otherwise it is only the
/// fallback, looked for when needed.
/// </summary>
internal static class GdbPrestart
{
    public static GdbTransport? IfSoleTransport()
    {
        if (PtraceTransport.Locate() is not null)
            return null;
        try
        {
            return GdbTransport.Start(GdbLocator.Find(), SessionNames.GdbScratchPrefix());
        }
        catch (Abstractions.CapabilityException)
        {
            return null; // gdb is missing: the attach itself will say so.
        }
    }
}
