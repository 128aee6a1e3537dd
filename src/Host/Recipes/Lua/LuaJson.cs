using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KeraLua;

namespace Host.Recipes.Lua;

/// <summary>
/// Lua values to JSON and back: tables with keys 1..n are arrays, other tables objects; JSON null
/// is json.null inside arrays (so they keep their length) and a missing key inside objects.
/// </summary>
internal sealed class LuaJson(int nullReference)
{
    private const int MaxDepth = 100;

    public void Push(KeraLua.Lua lua, JsonElement element)
    {
        lua.CheckStack(3);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                lua.CreateTable(0, 8);
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.Null)
                        continue;
                    lua.PushString(property.Name);
                    Push(lua, property.Value);
                    lua.RawSet(-3);
                }
                break;
            case JsonValueKind.Array:
                lua.CreateTable(element.GetArrayLength(), 0);
                var index = 1L;
                foreach (var item in element.EnumerateArray())
                {
                    Push(lua, item);
                    lua.RawSetInteger(-2, index++);
                }
                break;
            case JsonValueKind.String:
                lua.PushString(element.GetString());
                break;
            case JsonValueKind.Number:
                if (element.TryGetInt64(out var whole))
                    lua.PushInteger(whole);
                else
                    lua.PushNumber(element.GetDouble());
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                lua.PushBoolean(element.ValueKind == JsonValueKind.True);
                break;
            default:
                PushNull(lua);
                break;
        }
    }

    public void PushNull(KeraLua.Lua lua) => lua.RawGetInteger(LuaRegistry.Index, nullReference);

    /// <summary>The JSON text of the value at <paramref name="index"/>; nil is null.</summary>
    public string Encode(KeraLua.Lua lua, int index)
    {
        using var buffer = new MemoryStream();
        // Relaxed: a recipe prints JSON for people and tools, not into HTML, so '>' stays '>'.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(lua, lua.AbsIndex(index), writer, []);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private void Write(KeraLua.Lua lua, int index, Utf8JsonWriter writer, HashSet<IntPtr> open)
    {
        switch (lua.Type(index))
        {
            case LuaType.Nil:
            case LuaType.None:
                writer.WriteNullValue();
                break;
            case LuaType.Boolean:
                writer.WriteBooleanValue(lua.ToBoolean(index));
                break;
            case LuaType.Number:
                if (lua.IsInteger(index))
                    writer.WriteNumberValue(lua.ToInteger(index));
                else if (double.IsFinite(lua.ToNumber(index)))
                    writer.WriteNumberValue(lua.ToNumber(index));
                else
                    throw new RecipeApiException($"cannot encode {lua.ToNumber(index)} as JSON");
                break;
            case LuaType.String:
                writer.WriteStringValue(lua.ToString(index, false));
                break;
            case LuaType.Table:
                WriteTable(lua, index, writer, open);
                break;
            default:
                throw new RecipeApiException($"cannot encode a {lua.TypeName(lua.Type(index))} as JSON");
        }
    }

    private void WriteTable(KeraLua.Lua lua, int index, Utf8JsonWriter writer, HashSet<IntPtr> open)
    {
        if (IsNull(lua, index))
        {
            writer.WriteNullValue();
            return;
        }
        var identity = lua.ToPointer(index);
        if (open.Count >= MaxDepth || !open.Add(identity))
            throw new RecipeApiException(open.Contains(identity) ? "cannot encode a table that contains itself as JSON" : $"cannot encode tables nested deeper than {MaxDepth} as JSON");
        lua.CheckStack(4);
        var length = ArrayLength(lua, index);
        if (length > 0)
        {
            writer.WriteStartArray();
            for (var i = 1L; i <= length; i++)
            {
                lua.RawGetInteger(index, i);
                Write(lua, lua.GetTop(), writer, open);
                lua.Pop(1);
            }
            writer.WriteEndArray();
        }
        else
        {
            writer.WriteStartObject();
            lua.PushNil();
            while (lua.Next(index))
            {
                string key;
                if (lua.Type(-2) == LuaType.String)
                    key = lua.ToString(-2, false);
                else if (lua.Type(-2) == LuaType.Number)
                    key = lua.IsInteger(-2) ? lua.ToInteger(-2).ToString(System.Globalization.CultureInfo.InvariantCulture) : lua.ToNumber(-2).ToString(System.Globalization.CultureInfo.InvariantCulture);
                else
                    throw new RecipeApiException($"cannot encode a table with a {lua.TypeName(lua.Type(-2))} key as JSON");
                writer.WritePropertyName(key);
                Write(lua, lua.GetTop(), writer, open);
                lua.Pop(1);
            }
            writer.WriteEndObject();
        }
        open.Remove(identity);
    }

    // n when the table's keys are exactly 1..n, else 0.
    private static long ArrayLength(KeraLua.Lua lua, int index)
    {
        var count = 0L;
        var largest = 0L;
        var allPositiveIntegers = true;
        lua.PushNil();
        while (lua.Next(index))
        {
            count++;
            if (lua.Type(-2) == LuaType.Number && lua.IsInteger(-2) && lua.ToInteger(-2) >= 1)
                largest = Math.Max(largest, lua.ToInteger(-2));
            else
                allPositiveIntegers = false;
            lua.Pop(1);
        }
        // Distinct positive integer keys whose largest is their count are exactly 1..count.
        return allPositiveIntegers && largest == count ? count : 0;
    }

    private bool IsNull(KeraLua.Lua lua, int index)
    {
        PushNull(lua);
        var same = lua.RawEqual(index, -1);
        lua.Pop(1);
        return same;
    }
}
