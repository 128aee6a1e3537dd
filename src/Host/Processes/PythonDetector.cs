using Host.Abstractions;
using Host.Linux;

namespace Host.Processes;

/// <summary>
/// Recognises CPython from the files a process maps: a libpython, or a python executable. The
/// version comes from the file names (and a pyenv-style folder), and says "t" for a free-threaded
/// build, as its ABI tag does ("3.14t", "libpython3.14t.so"); <see cref="Exact"/> then asks the
/// process itself for major.minor.micro where it can.
/// </summary>
internal static class PythonDetector
{
    /// <summary>What the file names say about a CPython, when the process looks like one, else null.</summary>
    public static DetectedPython? Detect(string? executable, IReadOnlyList<string> mappedFiles)
    {
        foreach (var file in mappedFiles)
        {
            var path = file.Replace(" (deleted)", "", StringComparison.Ordinal);
            if (LibpythonVersion(path, out var flags) is { } version)
                return new DetectedPython(Refine(version, path) + (flags.Contains('t') ? "t" : ""), path, flags.Contains('t'), flags.Contains('d'));
        }
        if (executable is null || ExecutableVersion(Path.GetFileName(executable), out var abi) is not { } named)
            return null;
        return new DetectedPython(Refine(named.Length > 0 ? named : "unknown", executable) + (abi.Contains('t') ? "t" : ""), null, abi.Contains('t'), abi.Contains('d'));
    }

    /// <summary>The detected version made exact from the running interpreter (3.11+) where it can be read, parsed.</summary>
    public static InterpreterVersion? FullVersion(int pid, DetectedPython detected, string executable) =>
        InterpreterVersion.Parse(Exact(pid, detected.Version, detected.Libpython ?? executable));

    /// <summary>The detected version made exact from the running interpreter's own Py_Version (3.11+), when it can be read.</summary>
    public static string Exact(int pid, string detected, string interpreterFile)
    {
        var threaded = detected.EndsWith('t');
        return PythonVersionReader.Read(pid, interpreterFile) is { } exact ? exact + (threaded ? "t" : "") : detected;
    }

    // ".../libpython3.11.so.1.0", ".../libpython3.6m.so": the version of the last path component.
    private static string? LibpythonVersion(string path, out string abiFlags)
    {
        abiFlags = "";
        const string marker = "/libpython";
        var at = path.LastIndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
            return null;
        var rest = path.AsSpan(at + marker.Length);
        var length = AsciiText.DottedNumber(rest, parts: 2);
        if (length == 0)
            return null;
        var i = length;
        while (i < rest.Length && char.IsAsciiLetterLower(rest[i]))
            i++;
        abiFlags = rest[length..i].ToString(); // ABI flags: m, d, u, t
        if (!rest[i..].StartsWith(".so", StringComparison.Ordinal))
            return null;
        foreach (var c in rest[(i + 3)..])
        {
            if (c != '.' && !char.IsAsciiDigit(c))
                return null;
        }
        return rest[..length].ToString();
    }

    // "python", "python3", "python3.11", "python3.6m", "python3.14t": the version in the name ("" when none), or
    // null for any other program ("pythonic-tool").
    private static string? ExecutableVersion(string name, out string abiFlags)
    {
        abiFlags = "";
        if (!name.StartsWith("python", StringComparison.Ordinal))
            return null;
        var rest = name.AsSpan("python".Length);
        var i = 0;
        while (i < rest.Length && char.IsAsciiDigit(rest[i]))
            i++;
        var end = i;
        if (i > 0 && i + 1 < rest.Length && rest[i] == '.' && char.IsAsciiDigit(rest[i + 1]))
        {
            for (i++; i < rest.Length && char.IsAsciiDigit(rest[i]); i++)
            {
            }
            end = i;
        }
        var flags = i;
        for (; i < rest.Length; i++)
        {
            if (!char.IsAsciiLetterLower(rest[i]))
                return null;
        }
        abiFlags = rest[flags..].ToString();
        return rest[..end].ToString();
    }

    // pyenv and similar installers keep the full version in the path (.../versions/3.11.7/...).
    private static string Refine(string version, string path)
    {
        const string marker = "/versions/";
        for (var at = path.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = path.IndexOf(marker, at + 1, StringComparison.Ordinal))
        {
            var rest = path.AsSpan(at + marker.Length);
            var length = AsciiText.DottedNumber(rest, parts: 3);
            if (length == 0 || rest[length..].IndexOf('/') < 0)
                continue;
            var folder = rest[..length].ToString();
            return version == "unknown" || folder.StartsWith(version + ".", StringComparison.Ordinal) ? folder : version;
        }
        return version;
    }
}

/// <summary>A CPython recognised from its file names.</summary>
/// <param name="Version">"3.11", "3.11.7" (a pyenv folder), "3.14t" (free-threaded).</param>
/// <param name="Libpython">The shared libpython it maps, or null.</param>
/// <param name="FreeThreaded">The "t" ABI flag.</param>
/// <param name="Debug">The "d" ABI flag.</param>
internal sealed record DetectedPython(string Version, string? Libpython, bool FreeThreaded, bool Debug);
