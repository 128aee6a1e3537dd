using System.Text;
using System.Text.Json;
using Host.Recipes;
using Host.Recipes.Lua;
using KeraLua;

namespace Host.Tests.Unit.Recipes;

/// <summary>
/// LuaJson on a real Lua 5.4 state (KeraLua), set up as sandbox.lua and LuaEngine set up theirs:
/// UTF-8 strings, and a table in the registry that stands for JSON null (here also the global
/// `null`, so the Lua snippets can use it).
/// </summary>
public sealed class LuaJsonTests : IDisposable
{
    private readonly KeraLua.Lua _lua = new(openLibs: true) { Encoding = Encoding.UTF8 };
    private readonly LuaJson _json;

    public LuaJsonTests()
    {
        _lua.NewTable();
        _json = new LuaJson(_lua.Ref(LuaRegistry.Index));
        _json.PushNull(_lua);
        _lua.SetGlobal("null");
    }

    public void Dispose() => _lua.Dispose();

    // ---- Lua to JSON (Encode) ----

    [Theory]
    [InlineData("nil", "null")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("42", "42")]
    [InlineData("-7", "-7")]
    [InlineData("math.maxinteger", "9223372036854775807")]
    [InlineData("math.mininteger", "-9223372036854775808")]
    [InlineData("1.5", "1.5")]
    [InlineData("-0.25", "-0.25")]
    [InlineData("1e300", "1E+300")]
    [InlineData("'text'", "\"text\"")]
    [InlineData("''", "\"\"")]
    [InlineData("null", "null")]
    public void A_plain_value_is_encoded_as_its_JSON(string expression, string expected)
    {
        Assert.Equal(expected, EncodeLua(expression));
    }

    [Fact]
    public void Integers_and_floats_stay_apart_but_a_whole_float_loses_its_point()
    {
        Assert.Equal("[3,3,3.5]", EncodeLua("{3, 3.0, 3.5}"));
        Assert.Equal("integer", DecodeThenEval("[3]", "math.type(v[1])"));
        Assert.Equal("float", DecodeThenEval("[3.5]", "math.type(v[1])"));
    }

    [Fact]
    public void An_empty_stack_slot_is_null()
    {
        Assert.Equal(0, _lua.GetTop());

        Assert.Equal("null", _json.Encode(_lua, 1));
    }

    [Fact]
    public void A_table_with_keys_one_to_n_is_an_array_in_order()
    {
        Assert.Equal("[10,\"b\",true,1.5]", EncodeLua("{10, 'b', true, 1.5}"));
        Assert.Equal("[1,2,3]", EncodeLua("{[3] = 3, [1] = 1, [2] = 2}"));
    }

    [Fact]
    public void Json_null_keeps_a_place_in_an_array()
    {
        Assert.Equal("[1,null,3]", EncodeLua("{1, null, 3}"));
    }

    [Fact]
    public void A_table_with_a_gap_or_keys_not_from_one_is_an_object_with_the_numbers_as_names()
    {
        Assert.Equal(new Dictionary<string, int> { ["1"] = 1, ["3"] = 3 }, EncodeLuaAs<Dictionary<string, int>>("{1, nil, 3}"));
        Assert.Equal("{\"2\":\"b\"}", EncodeLua("{[2] = 'b'}"));
        Assert.Equal("{\"0\":\"z\"}", EncodeLua("{[0] = 'z'}"));
        Assert.Equal("{\"-1\":\"m\"}", EncodeLua("{[-1] = 'm'}"));
        Assert.Equal("{\"1.5\":\"f\"}", EncodeLua("{[1.5] = 'f'}"));
    }

    [Fact]
    public void A_table_with_string_keys_is_an_object()
    {
        Assert.Equal("{\"name\":\"x\"}", EncodeLua("{name = 'x'}"));
        var mixed = EncodeLuaAs<Dictionary<string, JsonElement>>("{'first', key = 2}");
        Assert.Equal(new[] { "1", "key" }, mixed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("first", mixed["1"].GetString());
        Assert.Equal(2, mixed["key"].GetInt64());
    }

    [Fact]
    public void An_empty_table_is_an_empty_object()
    {
        Assert.Equal("{}", EncodeLua("{}"));
    }

    [Fact]
    public void Nested_tables_are_nested_arrays_and_objects()
    {
        Assert.Equal("{\"a\":[1,{\"b\":[true,{}]}]}", EncodeLua("{a = {1, {b = {true, {}}}}}"));
    }

    [Fact]
    public void The_same_table_twice_is_not_a_cycle()
    {
        Assert.Equal("[[1],[1],{\"s\":[1]}]", EncodeLua("(function() local s = {1}; return {s, s, {s = s}} end)()"));
    }

    [Fact]
    public void Strings_are_escaped_for_JSON_but_not_for_HTML()
    {
        Assert.Equal("\"<a href='x'>&amp;</a>\"", EncodeLua("\"<a href='x'>&amp;</a>\""));
        Assert.Equal("\"quote \\\" backslash \\\\ line\\nTab\\t\\u0001\"", EncodeLua("'quote \" backslash \\\\ line\\nTab\\t\\1'"));
        Assert.Equal("\"café ünï\"", EncodeLua("'café ünï'"));
    }

    [Theory]
    [InlineData("café")]
    [InlineData("☃ snow")]
    [InlineData("emoji 😀 outside the BMP")]
    [InlineData("mixed\u0000nul and \u001f")]
    public void A_unicode_string_comes_back_the_same_through_JSON(string text)
    {
        _lua.PushString(text);
        var encoded = _json.Encode(_lua, -1);
        _lua.Pop(1);

        Assert.Equal(text, JsonSerializer.Deserialize<string>(encoded));
        Assert.Equal(text, DecodeThenGetString(encoded));
    }

    [Fact]
    public void A_negative_index_names_the_value_from_the_top_and_the_stack_is_left_as_it_was()
    {
        _lua.PushString("below");
        Eval("{1, {x = 2}}");
        _lua.PushInteger(99);

        Assert.Equal("[1,{\"x\":2}]", _json.Encode(_lua, -2));
        Assert.Equal(3, _lua.GetTop());
        Assert.Equal(99, _lua.ToInteger(-1));
    }

    [Fact]
    public void A_table_that_contains_itself_is_refused()
    {
        var error = Assert.Throws<RecipeApiException>(() => EncodeLua("(function() local t = {}; t.self = t; return t end)()"));
        Assert.Equal("cannot encode a table that contains itself as JSON", error.Message);
    }

    [Fact]
    public void A_cycle_through_another_table_is_refused()
    {
        var error = Assert.Throws<RecipeApiException>(() => EncodeLua("(function() local a, b = {}, {}; a[1] = b; b[1] = a; return a end)()"));
        Assert.Equal("cannot encode a table that contains itself as JSON", error.Message);
    }

    [Fact]
    public void Tables_nested_100_deep_are_encoded_and_101_deep_refused()
    {
        Assert.Equal(new string('[', 99) + "{}" + new string(']', 99), EncodeLua(Nested(100)));

        var error = Assert.Throws<RecipeApiException>(() => EncodeLua(Nested(101)));
        Assert.Equal("cannot encode tables nested deeper than 100 as JSON", error.Message);
    }

    [Theory]
    [InlineData("print", "cannot encode a function as JSON")]
    [InlineData("function() end", "cannot encode a function as JSON")]
    [InlineData("coroutine.create(function() end)", "cannot encode a thread as JSON")]
    [InlineData("{f = print}", "cannot encode a function as JSON")]
    [InlineData("{1, 2, print}", "cannot encode a function as JSON")]
    [InlineData("{[true] = 1}", "cannot encode a table with a boolean key as JSON")]
    [InlineData("{[{}] = 1}", "cannot encode a table with a table key as JSON")]
    [InlineData("{[print] = 1}", "cannot encode a table with a function key as JSON")]
    public void A_value_JSON_has_no_form_for_is_refused_with_its_type(string expression, string message)
    {
        var error = Assert.Throws<RecipeApiException>(() => EncodeLua(expression));
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("1/0", double.PositiveInfinity)]
    [InlineData("-1/0", double.NegativeInfinity)]
    [InlineData("0/0", double.NaN)]
    public void A_number_that_is_not_finite_is_refused(string expression, double value)
    {
        var error = Assert.Throws<RecipeApiException>(() => EncodeLua("{x = " + expression + "}"));
        Assert.Equal($"cannot encode {value} as JSON", error.Message);
    }

    // ---- JSON to Lua (Push) ----

    [Theory]
    [InlineData("true", "boolean true")]
    [InlineData("false", "boolean false")]
    [InlineData("42", "integer 42")]
    [InlineData("-9223372036854775808", "integer -9223372036854775808")]
    [InlineData("9223372036854775808", "float 9.2233720368548e+18")]
    [InlineData("1.0", "float 1.0")]
    [InlineData("2.5e-3", "float 0.0025")]
    [InlineData("\"text\"", "string text")]
    public void A_plain_JSON_value_becomes_the_Lua_value(string text, string expected)
    {
        Assert.Equal(expected, DecodeThenEval(text, "(math.type(v) or type(v)) .. ' ' .. tostring(v)"));
    }

    [Fact]
    public void Json_null_alone_is_the_null_value()
    {
        Assert.Equal("true", DecodeThenEval("null", "rawequal(v, null)"));
    }

    [Fact]
    public void An_array_becomes_a_sequence_and_its_nulls_are_json_null()
    {
        Assert.Equal("3 1 true three", DecodeThenEval("[1, null, \"three\"]", "#v .. ' ' .. v[1] .. ' ' .. tostring(rawequal(v[2], null)) .. ' ' .. v[3]"));
    }

    [Fact]
    public void An_object_becomes_a_table_without_its_null_members()
    {
        Assert.Equal("1 nil 2", DecodeThenEval("{\"a\": 1, \"gone\": null, \"b\": 2}", "v.a .. ' ' .. tostring(v.gone) .. ' ' .. v.b"));
        Assert.Equal("a,b", DecodeThenEval("{\"a\": 1, \"gone\": null, \"b\": 2}", "(function() local k = {}; for key in pairs(v) do k[#k + 1] = key end; table.sort(k); return table.concat(k, ',') end)()"));
    }

    [Fact]
    public void Object_member_names_stay_strings_even_when_they_look_like_numbers()
    {
        Assert.Equal("x nil", DecodeThenEval("{\"1\": \"x\"}", "v['1'] .. ' ' .. tostring(v[1])"));
    }

    [Fact]
    public void Empty_arrays_and_objects_become_empty_tables_which_encode_as_objects()
    {
        Assert.Equal("table 0 nil", DecodeThenEval("[]", "type(v) .. ' ' .. #v .. ' ' .. tostring(next(v))"));
        Assert.Equal("table 0 nil", DecodeThenEval("{}", "type(v) .. ' ' .. #v .. ' ' .. tostring(next(v))"));
        Assert.Equal("[{},{}]", RoundTrip("[[], {}]"));
    }

    [Fact]
    public void Nested_JSON_becomes_nested_tables()
    {
        Assert.Equal("true 3 deep", DecodeThenEval("{\"a\": {\"b\": [1, 2, {\"c\": true, \"d\": [\"deep\"]}]}}",
            "tostring(v.a.b[3].c) .. ' ' .. #v.a.b .. ' ' .. v.a.b[3].d[1]"));
    }

    [Fact]
    public void Strings_with_escapes_and_unicode_arrive_as_their_UTF8_text()
    {
        Assert.Equal("café ☃ 😀 \"q\" \\ \n/", DecodeThenGetString("\"caf\\u00e9 \\u2603 \\ud83d\\ude00 \\\"q\\\" \\\\ \\n\\/\""));
        Assert.Equal("8", DecodeThenEval("\"café☃\"", "#v"));
    }

    [Fact]
    public void Push_leaves_exactly_one_value()
    {
        _lua.PushString("below");
        using var document = JsonDocument.Parse("[1, {\"a\": [2, 3]}, null]");

        _json.Push(_lua, document.RootElement);

        Assert.Equal(2, _lua.GetTop());
        Assert.Equal(LuaType.Table, _lua.Type(-1));
        Assert.Equal("below", _lua.ToString(1, false));
    }

    [Theory]
    [InlineData("[1,2.5,\"x\",true,false,null,{\"k\":[{}]}]")]
    [InlineData("{\"nested\":{\"list\":[1,[2,[3]]]}}")]
    [InlineData("{\"s\":\"é\\n\"}")]
    [InlineData("9223372036854775807")]
    [InlineData("\"\"")]
    public void Decoding_then_encoding_gives_the_same_JSON(string text)
    {
        Assert.Equal(text, RoundTrip(text));
    }

    // ---- helpers ----

    /// <summary>Evaluates a Lua expression onto the stack.</summary>
    private void Eval(string expression)
    {
        Assert.Equal(LuaStatus.OK, _lua.LoadString("return " + expression));
        Assert.Equal(LuaStatus.OK, _lua.PCall(0, 1, 0));
    }

    private string EncodeLua(string expression)
    {
        var top = _lua.GetTop();
        Eval(expression);
        var text = _json.Encode(_lua, -1);
        Assert.Equal(top + 1, _lua.GetTop());
        _lua.SetTop(top);
        return text;
    }

    private T EncodeLuaAs<T>(string expression) => JsonSerializer.Deserialize<T>(EncodeLua(expression))!;

    /// <summary>Pushes the JSON as the global v, then evaluates a Lua expression about it, as text.</summary>
    private string DecodeThenEval(string text, string expression)
    {
        using (var document = JsonDocument.Parse(text))
            _json.Push(_lua, document.RootElement);
        _lua.SetGlobal("v");
        Eval("tostring(" + expression + ")");
        var result = _lua.ToString(-1, false);
        _lua.Pop(1);
        return result;
    }

    private string DecodeThenGetString(string text)
    {
        using var document = JsonDocument.Parse(text);
        _json.Push(_lua, document.RootElement);
        Assert.Equal(LuaType.String, _lua.Type(-1));
        var result = _lua.ToString(-1, false);
        _lua.Pop(1);
        return result;
    }

    private string RoundTrip(string text)
    {
        using var document = JsonDocument.Parse(text);
        _json.Push(_lua, document.RootElement);
        var encoded = _json.Encode(_lua, -1);
        _lua.Pop(1);
        return encoded;
    }

    private static string Nested(int depth) => new StringBuilder().Insert(0, "{", depth).Append('}', depth).ToString();
}
