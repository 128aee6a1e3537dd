using System.CommandLine;
using System.Text.Json;
using Host.Catalog;
using Host.Recipes;

namespace Host.Cli;

/// <summary>`host list`: every capability, where it was loaded from, and the plugins that failed to load.</summary>
internal static class ListCommand
{
    public static Command Create(CapabilityCatalog catalog, RecipeCatalog recipes)
    {
        var command = new Command("list", "List the capabilities (plugins and Lua recipes) and where each was loaded from");
        var format = FormatOption.Create();
        command.Options.Add(format);
        command.SetAction(parse =>
        {
            foreach (var warning in catalog.Warnings.Concat(recipes.Warnings))
                Console.Error.WriteLine($"warning: {warning}");
            if (parse.GetValue(format) == "json")
            {
                var rows = catalog.Entries.Select(e => new { name = e.Name, kind = "plugin", version = e.Version, description = e.Capability?.Description, origin = e.Origin, source = e.Source, broken = e.IsBroken, problem = e.Problem })
                    .Concat(recipes.Recipes.Select(r => new { name = r.Name, kind = "recipe", version = (string?)null, description = (string?)r.Description, origin = r.Origin, source = r.Path, broken = false, problem = (string?)null }));
                Console.Out.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            if (catalog.Entries.Count == 0)
                Console.Out.WriteLine("no capabilities found (the plugins folder next to host is empty?)");
            var width = catalog.Entries.Select(e => e.Name.Length).Concat(recipes.Recipes.Select(r => r.Name.Length)).DefaultIfEmpty(4).Max() + 2;
            foreach (var entry in catalog.Entries)
            {
                Console.Out.WriteLine($"{entry.Name.PadRight(width)}{entry.Description}");
                Console.Out.WriteLine($"{new string(' ', width)}{(entry.IsBroken ? "BROKEN, " : "")}{(entry.Version is null ? "" : $"version {entry.Version}, ")}{entry.Origin} plugin: {entry.Source}");
            }
            foreach (var recipe in recipes.Recipes)
            {
                Console.Out.WriteLine($"{recipe.Name.PadRight(width)}{recipe.Description}");
                Console.Out.WriteLine($"{new string(' ', width)}{recipe.Origin} recipe: {recipe.Path}");
            }
            return 0;
        });
        return command;
    }
}
