namespace Host.Reading.Layouts;

/// <summary>Why a target cannot be read from outside, for the user and for auto's choice of method.</summary>
internal sealed class UnreadableException(string message, string? hint = null) : Exception(message)
{
    public string? Hint { get; } = hint;
}
