namespace Host.Linux;

/// <summary>
/// A directory only this process may touch (0700, ours, unpredictable name): the gdb driver, its
/// plan and its results live here, never in the session directory the target's user can write to,
/// because gdb runs with our privileges.
/// </summary>
internal sealed class PrivateDirectory : IDisposable
{
    /// <param name="prefix">The start of its name; the rest is random.</param>
    public PrivateDirectory(string prefix)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }
    }
}
