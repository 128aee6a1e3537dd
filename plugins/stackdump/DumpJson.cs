using System.Text.Json.Serialization;

namespace Host.Plugins.Stackdump;

/// <summary>Compile-time JSON contracts: no reflection warm-up on a tool that runs once per incident.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(StackDump))]
internal sealed partial class DumpJson : JsonSerializerContext;
