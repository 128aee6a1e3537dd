namespace Host.Processes;

/// <summary>
/// Recognises CPython from the files a process maps: a libpython, or a python executable. The
/// version comes from the file names (and a pyenv-style folder), and says "t" for a free-threaded
/// build, as its ABI tag does ("3.14t", "libpython3.14t.so"); <see cref="Exact"/> then asks the
/// process itself for major.minor.micro where it can.
/// </summary>
internal static class PythonDetector
{
    /// <summary>Returns (version, libpython or null) when the process looks like CPython, else null.</summary>
    public static (string Version, string? Libpython)? Detect(string? executable, IReadOnlyList<string> mappedFiles)
    {
        foreach (var file in mappedFiles)
        {
            var path = file.Replace(" (deleted)", "", StringComparison.Ordinal);
            if (LibpythonVersion(path, out var threaded) is { } version)
                return (Refine(version, path) + (threaded ? "t" : ""), path);
        }
        if (executable is null || ExecutableVersion(Path.GetFileName(executable), out var freeThreaded) is not { } named)
            return null;
        return (Refine(named.Length > 0 ? named : "unknown", executable) + (freeThreaded ? "t" : ""), null);
    }

    /// <summary>The detected version made exact from the running interpreter's own Py_Version (3.11+), when it can be read.</summary>
    public static string Exact(int pid, string detected, string interpreterFile)
    {
        var threaded = detected.EndsWith('t');
        return PythonVersionReader.Read(pid, interpreterFile) is { } exact ? exact + (threaded ? "t" : "") : detected;
    }

    // ".../libpython3.11.so.1.0", ".../libpython3.6m.so": the version of the last path component.
    private static string? LibpythonVersion(string path, out bool freeThreaded)
    {
        freeThreaded = false;
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
            freeThreaded |= rest[i++] == 't'; // ABI flags: m, d, u, t
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
    private static string? ExecutableVersion(string name, out bool freeThreaded)
    {
        freeThreaded = false;
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
        for (; i < rest.Length; i++)
        {
            if (!char.IsAsciiLetterLower(rest[i]))
                return null;
            freeThreaded |= rest[i] == 't';
        }
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
