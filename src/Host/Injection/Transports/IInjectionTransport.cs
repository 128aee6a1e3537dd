namespace Host.Injection.Transports;

/// <summary>
/// A way into a target: attach, stop one thread at a safe point, perform the steps on it, detach.
/// host-inject (ptrace) is the quick one; gdb is the fallback that can wait for a safe point.
/// A transport never leaves the target stopped, and reports failures as <see cref="FailureKind"/>s.
/// </summary>
internal interface IInjectionTransport
{
    /// <summary>"host-inject" or "gdb", for messages.</summary>
    string Name { get; }

    /// <param name="libraries">Regular expressions of shared libraries whose symbols the steps need besides libc and the loader (gdb reads symbols lazily).</param>
    Task<InjectionReport> RunAsync(int pid, IReadOnlyList<InjectionStep> steps, TimeSpan timeout, IReadOnlyList<string> libraries);
}
