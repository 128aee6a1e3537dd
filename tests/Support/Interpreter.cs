namespace Host.Tests.Support;

/// <summary>One CPython found on this machine.</summary>
public sealed record Interpreter(string Label, string Path, Version Version)
{
    public bool IsPython2 => Version.Major == 2;

    public bool HasQualifiedNames => Version >= new Version(3, 11);

    public bool HasNativeThreadIds => Version >= new Version(3, 8);

    public override string ToString() => Label;
}
