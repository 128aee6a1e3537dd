namespace Host.Tests.Support;

/// <summary>Where things are in the checkout the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built tool, laid out as users get it (plugins/ and the agent beside it).</summary>
    public static string HostBinary => Path.Combine(Root, "artifacts", "host", "host");

    public static string Fixture(string name) => Path.Combine(Root, "tests", "fixtures", name);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Framework.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("tests must run from inside the checkout");
    }
}
