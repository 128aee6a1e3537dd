namespace Host.Recipes;

/// <summary>A recipe used the Lua API wrongly (bad argument, unknown handle): raised as a Lua error at its line.</summary>
internal sealed class RecipeApiException(string message) : Exception(message);
