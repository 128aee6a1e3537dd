using System.CommandLine;
using System.Text.Json;
using Host.Catalog;

namespace Host.Cli;

/// <summary>`host list`: every capability, where it was loaded from, and the plugins that failed to load.</summary>
internal static class ListCommand
{
    public static Command Create(CapabilityCatalog catalog)
    {
        var command = new Command("list", "List the capabilities (plugins) and where each was loaded from");
        var format = FormatOption.Create();
        command.Options.Add(format);
        command.SetAction(parse =>
        {
            foreach (var warning in catalog.Warnings)
                Console.Error.WriteLine($"warning: {warning}");
            if (parse.GetValue(format) == "json")
            {
                var rows = catalog.Entries.Select(e => new { name = e.Name, description = e.Capability?.Description, origin = e.Origin, source = e.Source, broken = e.IsBroken, problem = e.Problem });
                Console.Out.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            if (catalog.Entries.Count == 0)
                Console.Out.WriteLine("no capabilities found (the plugins folder next to host is empty?)");
            var width = catalog.Entries.Select(e => e.Name.Length).DefaultIfEmpty(4).Max() + 2;
            foreach (var entry in catalog.Entries)
            {
                Console.Out.WriteLine($"{entry.Name.PadRight(width)}{entry.Description}");
                Console.Out.WriteLine($"{new string(' ', width)}{(entry.IsBroken ? "BROKEN, " : "")}{entry.Origin}: {entry.Source}");
            }
            return 0;
        });
        return command;
    }
}
