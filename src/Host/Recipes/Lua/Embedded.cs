namespace Host.Recipes.Lua;

/// <summary>The Lua sandbox that ships inside the host assembly.</summary>
internal static class Embedded
{
    private static readonly Lazy<string> SandboxSource = new(() => EmbeddedFile.Read("sandbox.lua"));

    public static string Sandbox => SandboxSource.Value;
}
