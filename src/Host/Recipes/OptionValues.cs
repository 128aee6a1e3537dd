using System.Globalization;
using System.Text.Json;
using Host.Abstractions;

namespace Host.Recipes;

/// <summary>
/// A capability's options given by a recipe as a Lua table (`run("stackdump", {locals = true})`),
/// checked against the options the capability declares; `max_depth` means --max-depth.
/// </summary>
internal sealed class OptionValues : ICapabilityArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<CapabilityOption> _declared;

    public OptionValues(ICapability capability, JsonElement options, IEnumerable<string> hostOptions)
    {
        _declared = capability.Options;
        var reserved = hostOptions.ToHashSet(StringComparer.Ordinal);
        if (options.ValueKind != JsonValueKind.Object)
            return;
        foreach (var property in options.EnumerateObject())
        {
            var name = property.Name.Replace('_', '-');
            if (reserved.Contains(name))
                continue;
            var option = _declared.FirstOrDefault(o => o.Name == name)
                ?? throw new CapabilityException(ExitCodes.Usage, $"{capability.Name} has no option '{property.Name}'; its options: {string.Join(", ", _declared.Select(o => o.Name.Replace('-', '_')))}");
            var text = property.Value.ValueKind switch
            {
                JsonValueKind.True => "true",
                JsonValueKind.False => null,
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.Array => string.Join(",", property.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())),
                _ => throw new CapabilityException(ExitCodes.Usage, $"option '{property.Name}' of {capability.Name}: give a boolean, number, text or list"),
            };
            if (text is null)
                continue;
            if (option.Kind == OptionKind.Choice && option.Choices.Count > 0 && !option.Choices.Contains(text))
                throw new CapabilityException(ExitCodes.Usage, $"option '{property.Name}' of {capability.Name} must be one of {string.Join(", ", option.Choices)}, not '{text}'");
            if (option.Kind == OptionKind.Integer && !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                throw new CapabilityException(ExitCodes.Usage, $"option '{property.Name}' of {capability.Name} must be a whole number, not '{text}'");
            _values[name] = text;
        }
    }

    public void Set(string name, string value) => _values[name] = value;

    public bool GetFlag(string name) => Declared(name).Kind == OptionKind.Flag && _values.ContainsKey(name);

    public string? GetText(string name) => _values.TryGetValue(name, out var text) ? text : Declared(name).DefaultValue;

    public long? GetInteger(string name) =>
        long.TryParse(GetText(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;

    private CapabilityOption Declared(string name) =>
        _declared.FirstOrDefault(o => o.Name == name) ?? throw new ArgumentException($"the capability has no option named '{name}'", nameof(name));
}
