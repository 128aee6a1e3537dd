using Host.Abstractions;

namespace Host.Cli;

/// <summary>The host's side of one capability run.</summary>
internal sealed record CapabilityContext(
    int Pid,
    ICapabilityArguments Arguments,
    IInjector Injector,
    TextWriter Output,
    IProgress<string> Progress,
    TimeSpan Timeout) : ICapabilityContext;
