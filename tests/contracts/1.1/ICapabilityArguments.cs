namespace Host.Abstractions;

/// <summary>Values of a capability's options, by long name, with defaults applied.</summary>
public interface ICapabilityArguments
{
    /// <summary>True when the flag was given.</summary>
    bool GetFlag(string name);

    /// <summary>The option's text, or its default, or null.</summary>
    string? GetText(string name);

    /// <summary>The option's number, or its default, or null.</summary>
    long? GetInteger(string name);
}
