using System.Text.RegularExpressions;

namespace Host.Processes;

/// <summary>Recognises CPython from the files a process maps: a libpython, or a python executable.</summary>
internal static partial class PythonDetector
{
    [GeneratedRegex(@"/libpython(\d+\.\d+)[a-z]*\.so[.\d]*$")]
    private static partial Regex Libpython();

    [GeneratedRegex(@"^python(\d+(\.\d+)?)?[a-z]*$")]
    private static partial Regex PythonExecutable();

    [GeneratedRegex(@"/versions/(\d+\.\d+\.\d+)[^/]*/")]
    private static partial Regex VersionFolder();

    /// <summary>Returns (version, libpython or null) when the process looks like CPython, else null.</summary>
    public static (string Version, string? Libpython)? Detect(string? executable, IReadOnlyList<string> mappedFiles)
    {
        foreach (var file in mappedFiles)
        {
            var path = file.Replace(" (deleted)", "", StringComparison.Ordinal);
            var match = Libpython().Match(path);
            if (match.Success)
                return (Refine(match.Groups[1].Value, path), path);
        }
        if (executable is null)
            return null;
        var name = PythonExecutable().Match(Path.GetFileName(executable));
        if (!name.Success)
            return null;
        var version = name.Groups[1].Success ? name.Groups[1].Value : "unknown";
        return (Refine(version, executable), null);
    }

    // pyenv and similar installers keep the full version in the path (.../versions/3.11.7/...).
    private static string Refine(string version, string path)
    {
        var folder = VersionFolder().Match(path);
        return folder.Success && (version == "unknown" || folder.Groups[1].Value.StartsWith(version + ".", StringComparison.Ordinal))
            ? folder.Groups[1].Value
            : version;
    }
}
