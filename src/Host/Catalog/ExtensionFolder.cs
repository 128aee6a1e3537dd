namespace Host.Catalog;

/// <summary>One folder that may hold extensions, and where it comes from ("built-in", "user", an environment variable, "--plugin-dir").</summary>
/// <remarks>A class rather than a value tuple: generic code over reference types is precompiled in the framework, so listing folders costs no JIT at start-up.</remarks>
internal sealed record ExtensionFolder(string Path, string Origin);
