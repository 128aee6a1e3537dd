using Host.Linux;

namespace Host.Reading;

/// <summary>
/// The source lines a dump shows, read from the target's own files: through /proc/PID/root, so a
/// target under another root gives its own file, and a relative name through its working
/// directory. Only regular files of bounded size are read, each once; a name like "&lt;stdin&gt;" has no file.
/// </summary>
internal sealed class SourceLines(int pid)
{
    private const long MaxFileBytes = 16 << 20;
    private readonly Dictionary<string, string[]?> _files = [];

    /// <summary>The line, stripped, or null where the file or the line cannot be read.</summary>
    public string? Line(string file, int? line)
    {
        if (line is not > 0 || file.Length == 0 || file[0] == '<')
            return null;
        if (!_files.TryGetValue(file, out var lines))
            _files[file] = lines = Load(file);
        return lines is not null && line <= lines.Length ? lines[line.Value - 1].Trim() : null;
    }

    private string[]? Load(string file)
    {
        var path = file[0] == '/' ? $"/proc/{pid}/root{file}" : $"/proc/{pid}/cwd/{file}";
        try
        {
            if (!Libc.IsRegularFile(path) || new FileInfo(path).Length > MaxFileBytes)
                return null;
            return File.ReadAllLines(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
