namespace Host.Abstractions;

/// <summary>Describes one command-line option of a capability; the host turns it into a real option.</summary>
/// <param name="Name">Long name without dashes, e.g. "locals" for --locals.</param>
/// <param name="Description">Help text.</param>
/// <param name="Kind">What the value is.</param>
public sealed record CapabilityOption(string Name, string Description, OptionKind Kind)
{
    /// <summary>Optional one-letter alias without the dash, e.g. "l" for -l.</summary>
    public string? Alias { get; init; }

    /// <summary>Value used when the option is absent (as text); null means none.</summary>
    public string? DefaultValue { get; init; }

    /// <summary>Allowed values, for <see cref="OptionKind.Choice"/>.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];
}
