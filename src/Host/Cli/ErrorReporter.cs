using Host.Abstractions;

namespace Host.Cli;

/// <summary>Prints errors as "error: ..." and "hint: ..." lines; stack traces only with --verbose.</summary>
internal static class ErrorReporter
{
    public static int Report(CapabilityException error, bool verbose)
    {
        Console.Error.WriteLine($"error: {error.Message}");
        if (error.Hint is not null)
            Console.Error.WriteLine($"hint: {error.Hint}");
        if (verbose && error.InnerException is not null)
            Console.Error.WriteLine(error.InnerException);
        return error.ExitCode;
    }

    public static int ReportUnexpected(Exception error, bool verbose)
    {
        Console.Error.WriteLine($"error: {error.GetType().Name}: {error.Message}");
        Console.Error.WriteLine(verbose
            ? error.ToString()
            : "hint: this is a bug in host or a plugin; run again with --verbose for details. The target was not left stopped.");
        return ExitCodes.Failed;
    }
}
