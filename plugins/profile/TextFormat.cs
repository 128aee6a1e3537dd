namespace Host.Plugins.Profile;

/// <summary>The top functions by own and total share (<see cref="TopFunctions"/>): what a person reads at a terminal.</summary>
internal sealed class TextFormat : ProfileFormat
{
    public override string Name => "text";

    public override IReadOnlyList<string> Extensions => [".txt"];

    public override void Write(ProfileResult result, Stream output)
    {
        using var text = TextOver(output);
        TopFunctions.Write(result, text);
    }
}
