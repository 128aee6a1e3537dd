namespace Host.Abstractions;

/// <summary>The type of a capability option's value.</summary>
public enum OptionKind
{
    /// <summary>Present or absent, no value.</summary>
    Flag,

    /// <summary>Free text.</summary>
    Text,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>One of <see cref="CapabilityOption.Choices"/>.</summary>
    Choice,
}
