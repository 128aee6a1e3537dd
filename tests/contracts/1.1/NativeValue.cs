namespace Host.Abstractions;

/// <summary>What a <see cref="NativeCall"/> returned: a number or a text, per its <see cref="NativeType"/>.</summary>
public sealed record NativeValue(long? Number, string? Text)
{
    /// <inheritdoc />
    public override string ToString() => Text ?? Number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
