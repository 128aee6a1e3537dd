namespace Host.Recipes;

/// <summary>A Lua recipe: `host run NAME` runs it like a capability.</summary>
/// <param name="Name">What is typed after `host run`: the file name without .lua, or the path given.</param>
/// <param name="Path">The .lua file.</param>
/// <param name="Origin">Where it was found: built-in, user, HOST_RECIPE_PATH or path.</param>
/// <param name="Header">The recipe's leading comment lines, without the comment marks.</param>
internal sealed record Recipe(string Name, string Path, string Origin, IReadOnlyList<string> Header)
{
    /// <summary>The first line of the header: shown by `host list`.</summary>
    public string Description => Header.Count > 0 ? Header[0] : "(a Lua recipe without a description comment)";

    /// <summary>The whole header, shown by `host run NAME --help`.</summary>
    public string Help => string.Join(Environment.NewLine, Header.DefaultIfEmpty(Description));

    /// <summary>The name Lua errors carry before ":LINE:".</summary>
    public string ChunkName => Origin == "path" ? Name : System.IO.Path.GetFileName(Path);

    public static Recipe Read(string name, string path, string origin) => new(name, path, origin, ReadHeader(path));

    // The header is the run of `--` comment lines at the top of the file (a first line `--!` or a
    // shebang is skipped); "name: " at the start of the first line is dropped.
    private static List<string> ReadHeader(string path)
    {
        var header = new List<string>();
        foreach (var line in File.ReadLines(path).Take(40))
        {
            if (header.Count == 0 && line.StartsWith("#!", StringComparison.Ordinal))
                continue;
            if (!line.StartsWith("--", StringComparison.Ordinal) || line.StartsWith("--[[", StringComparison.Ordinal))
                break;
            header.Add(line[2..].Trim());
        }
        while (header.Count > 0 && header[^1].Length == 0)
            header.RemoveAt(header.Count - 1);
        var stem = System.IO.Path.GetFileNameWithoutExtension(path);
        if (header.Count > 0 && header[0].StartsWith(stem + ":", StringComparison.Ordinal))
            header[0] = header[0][(stem.Length + 1)..].Trim();
        return header;
    }
}
