using System.Text.Json.Serialization;

namespace Host.Plugins.Pdb;

[JsonSerializable(typeof(Dictionary<string, string?>))]
internal sealed partial class PdbJson : JsonSerializerContext;
