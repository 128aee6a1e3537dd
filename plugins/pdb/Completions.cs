namespace Host.Plugins.Pdb;

/// <summary>pdb's completions of a line: each item replaces the last word, which starts after <see cref="Prefix"/>.</summary>
internal sealed record Completions(string Prefix, IReadOnlyList<string> Items)
{
    /// <summary>The longest text all items start with.</summary>
    public string CommonStart()
    {
        if (Items.Count == 0)
            return "";
        var common = Items[0];
        foreach (var item in Items.Skip(1))
        {
            var length = 0;
            while (length < common.Length && length < item.Length && common[length] == item[length])
                length++;
            common = common[..length];
        }
        return common;
    }
}
