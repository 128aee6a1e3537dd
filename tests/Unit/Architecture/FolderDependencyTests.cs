using System.Text.RegularExpressions;
using Host.Tests.Support;

namespace Host.Tests.Unit.Architecture;

/// <summary>
/// The dependency direction docs/ARCHITECTURE.md draws: each folder of src/Host uses only the
/// folders below it, and inside Injection and Recipes the subfolders form no cycle either. A
/// folder's "use" is a using directive or a qualified name in any of its files.
/// </summary>
public sealed partial class FolderDependencyTests
{
    // Top to bottom; "Host" is the root folder's few leaf helpers, usable by all.
    // Reading (the reader from outside) sits beside Injection: the test keeps it below, so that it
    // never uses Injection.
    private static readonly string[] Layers = ["Cli", "Recipes", "Execution", "Catalog", "Injection", "Reading", "Processes", "Output", "Linux", "Host"];

    [Fact]
    public void Every_folder_uses_only_folders_below_it()
    {
        var wrong = new List<string>();
        foreach (var (from, to, file) in Uses())
        {
            var fromLayer = Array.IndexOf(Layers, Top(from));
            var toLayer = Array.IndexOf(Layers, Top(to));
            if (fromLayer >= 0 && toLayer >= 0 && toLayer < fromLayer)
                wrong.Add($"{file}: {from} uses {to}");
        }
        Assert.True(wrong.Count == 0, "upward uses:\n" + string.Join("\n", wrong.Distinct()));
    }

    [Fact]
    public void No_two_subfolders_use_each_other()
    {
        var edges = Uses().Where(u => u.From != u.To && Top(u.From) == Top(u.To)).Select(u => (u.From, u.To)).ToHashSet();
        var cycles = edges.Where(e => Reaches(edges, e.To, e.From)).Select(e => $"{e.From} -> {e.To}").ToList();
        Assert.True(cycles.Count == 0, "cycles:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void The_scan_sees_the_known_uses()
    {
        var uses = Uses().Select(u => (u.From, u.To)).ToHashSet();
        Assert.Contains(("Cli", "Catalog"), uses);
        Assert.Contains(("Injection", "Injection.Transports"), uses);
        Assert.Contains(("Injection.Gdb", "Linux"), uses);
    }

    private static bool Reaches(HashSet<(string From, string To)> edges, string start, string goal)
    {
        var seen = new HashSet<string>();
        var next = new Stack<string>([start]);
        while (next.TryPop(out var node))
        {
            if (node == goal)
                return true;
            if (seen.Add(node))
            {
                foreach (var edge in edges.Where(e => e.From == node))
                    next.Push(edge.To);
            }
        }
        return false;
    }

    private static string Top(string folder) => folder.Split('.')[0];

    private static IEnumerable<(string From, string To, string File)> Uses()
    {
        var source = Path.Combine(RepoPaths.Root, "src", "Host");
        var files = Directory.GetFiles(source, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")).ToList();
        var namespaces = files.Select(f => Namespace().Match(File.ReadAllText(f))).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var declared = Namespace().Match(text);
            if (!declared.Success)
                continue;
            var from = Folder(declared.Groups[1].Value);
            // Host.X.Y.Type, `using Host.X.Y;`, and X.Y.Type relative to Host (which any Host.* namespace can write).
            foreach (Match name in DottedName().Matches(text))
            {
                var parts = name.Value.Split('.');
                var qualified = parts[0] == "Host" ? parts : ["Host", .. parts];
                for (var length = qualified.Length; length > 1; length--)
                {
                    var candidate = string.Join('.', qualified[..length]);
                    if (!namespaces.Contains(candidate))
                        continue;
                    var to = Folder(candidate);
                    if (to != from && !from.StartsWith(to + ".", StringComparison.Ordinal))
                        yield return (from, to, Path.GetRelativePath(source, file));
                    break;
                }
            }
        }
    }

    // "Host.Injection.Gdb" -> "Injection.Gdb"; "Host" -> "Host".
    private static string Folder(string ns) => ns == "Host" ? "Host" : ns["Host.".Length..];

    [GeneratedRegex(@"^namespace (Host(?:\.\w+)*);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    // A dotted name not itself after a dot (a member access on a value): Host.Linux.ProcFs, Processes.ProcFs.
    [GeneratedRegex(@"(?<![\w.""])[A-Z]\w*(?:\.[A-Z]\w*)+")]
    private static partial Regex DottedName();
}
