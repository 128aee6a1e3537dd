using Host.Abstractions;

namespace Host.Catalog;

/// <summary>A capability found by the catalog, or a plugin that failed to load and why.</summary>
internal sealed record CatalogEntry(string Name, string Source, string Origin, ICapability? Capability, string? Problem)
{
    /// <summary>The plugin assembly's version, when it could be read.</summary>
    public string? Version { get; init; }

    public bool IsBroken => Capability is null;

    public string Description => Capability?.Description ?? $"broken: {Problem}";
}
