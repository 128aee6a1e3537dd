using System.Text;

namespace Host.Plugins.Profile;

/// <summary>
/// Text made safe for an XML document (the SVG flame graph), in element content and in attribute
/// values alike. Function and file names come from the target and may hold anything: &lt;lambda&gt;,
/// &lt;genexpr&gt;, quotes, and characters XML cannot carry at all.
/// </summary>
internal static class XmlText
{
    public static string Escape(string text)
    {
        StringBuilder? escaped = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                // A parser would turn these into spaces in an attribute; kept as they are.
                '\n' => "&#10;",
                '\r' => "&#13;",
                '\t' => "&#9;",
                _ when char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) => null,
                _ when char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(text[i - 1]) => null,
                // Control characters, lone surrogates and U+FFFE/U+FFFF make a document that does not parse.
                _ when c < ' ' || char.IsSurrogate(c) || c >= '\uFFFE' => "\uFFFD",
                _ => null,
            };
            if (replacement is null)
            {
                escaped?.Append(c);
                continue;
            }
            escaped ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            escaped.Append(replacement);
        }
        return escaped?.ToString() ?? text;
    }
}
