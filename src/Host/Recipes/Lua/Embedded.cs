namespace Host.Recipes.Lua;

/// <summary>The Lua and Python sources that ship inside the host assembly.</summary>
internal static class Embedded
{
    private static readonly Lazy<string> SandboxSource = new(() => Read("sandbox.lua"));

    public static string Sandbox => SandboxSource.Value;

    public static string Read(string name)
    {
        using var stream = typeof(Embedded).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the resource {name} is missing from the host assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
