namespace Host.Plugins.Profile;

/// <summary>One way a profile is written: its --format name, the file names that choose it, and the writer.</summary>
internal abstract class ProfileFormat
{
    /// <summary>The --format value.</summary>
    public abstract string Name { get; }

    /// <summary>Endings of an -o file name that choose this format when --format is not given (".svg").</summary>
    public virtual IReadOnlyList<string> Extensions => [];

    /// <summary>Bytes rather than text: written to the binary output, which a recipe's captured text cannot take.</summary>
    public virtual bool Binary => false;

    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>, which it leaves open.</summary>
    public abstract void Write(ProfileResult result, Stream output);

    /// <summary>For a text format: a UTF-8 writer over <paramref name="output"/> that leaves it open.</summary>
    protected static StreamWriter TextOver(Stream output) => new(output, new System.Text.UTF8Encoding(false), 65536, leaveOpen: true);
}
