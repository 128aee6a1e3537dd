namespace Host.Recipes;

/// <summary>
/// The words after `host run RECIPE` that host itself does not take: `--name value`, `--name=value`,
/// `--flag` (followed by another option or nothing) and plain words, in order. A recipe sees them
/// as `args.name` and `args[1]`, `args[2]`, ...
/// </summary>
internal sealed record RecipeArguments(IReadOnlyList<string> Positional, IReadOnlyDictionary<string, string> Named)
{
    public static RecipeArguments Parse(IReadOnlyList<string> tokens)
    {
        var positional = new List<string>();
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var onlyWords = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (onlyWords || !token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
            {
                if (token == "--" && !onlyWords)
                    onlyWords = true;
                else
                    positional.Add(token);
                continue;
            }
            var body = token[2..];
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
                named[Key(body[..equals])] = body[(equals + 1)..];
            else if (i + 1 < tokens.Count && !tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
                named[Key(body)] = tokens[++i];
            else
                named[Key(body)] = "true";
        }
        return new RecipeArguments(positional, named);
    }

    // `--max-depth` reads as args.max_depth in Lua.
    private static string Key(string name) => name.Replace('-', '_');
}
