using Host.Abstractions;
using Host.Catalog;

namespace Host.Recipes;

/// <summary>What the host lends a running recipe.</summary>
/// <param name="WaitTimeout">The bound on any single wait (--timeout).</param>
/// <param name="Stop">Cancelled by Ctrl-C, SIGTERM or the recipe's own --timeout.</param>
internal sealed record RecipeHost(
    Recipe Recipe,
    RecipeCatalog Recipes,
    CapabilityCatalog Capabilities,
    IInjector Injector,
    TextWriter Output,
    IProgress<string> Progress,
    TimeSpan WaitTimeout,
    CancellationToken Stop);
