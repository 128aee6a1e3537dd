using Host.Abstractions;
using Host.Linux;
using Host.Processes;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>What a failure to read a target from outside tells the user: exited, not allowed, or not readable, and why.</summary>
internal static class ReadFailures
{
    /// <summary>The user's error for <paramref name="error"/>, or null when it is not a failure of reading.</summary>
    public static CapabilityException? Translate(Exception error, TargetProcess target) => error switch
    {
        // A symbol table or a table that could not be read because the process went away says "exited", not "unsupported".
        ProcessGoneException or UnreadableException when !ProcFs.IsAlive(target.Pid) =>
            new CapabilityException(ExitCodes.TargetNotFound, $"process {target.Pid} exited while host was reading it"),
        ProcessGoneException => new CapabilityException(ExitCodes.TargetNotFound, $"process {target.Pid} exited while host was reading it"),
        UnauthorizedAccessException => PermissionAdvisor.Denied(target.Pid, target.Uid, target.UserName),
        UnreadableException unreadable => new CapabilityException(ExitCodes.Unsupported, unreadable.Message, unreadable.Hint),
        _ => null,
    };
}
