namespace Host.Plugins.Pdb;

/// <summary>Where pdb commands come from: the user at a terminal, or --commands.</summary>
internal interface ICommandSource
{
    /// <summary>True for --commands: commands are echoed, and the session detaches when they run out.</summary>
    bool IsScripted { get; }

    /// <summary>The next command line, or null to detach (end of input, or no command left).</summary>
    Task<string?> NextAsync(CancellationToken cancellationToken);

    /// <summary>True when no command is left (scripted), so a running thread need not be waited for.</summary>
    bool IsExhausted { get; }
}
