namespace Host.Injection.Gdb;

/// <summary>Decides from the raw arguments whether a command will attach, to start gdb early.</summary>
internal static class GdbPrestart
{
    public static PendingGdb? ForArguments(IReadOnlyList<string> args)
    {
        var attaches = args.Count > 1 && args[0] == "run"
            && args.Any(a => a is "-p" or "--pid" or "-n" or "--name" or "--demo" || a.StartsWith("--pid=", StringComparison.Ordinal))
            && !args.Any(a => a is "-h" or "--help" or "-?");
        // gdb is only the fallback of the quick ptrace path; start it early only when it is the sole path.
        if (!attaches || Ptrace.PtraceInjection.Locate() is not null)
            return null;
        try
        {
            return PendingGdb.Start(GdbLocator.Find());
        }
        catch (Abstractions.CapabilityException)
        {
            return null; // gdb is missing: the attach itself will say so.
        }
    }
}
