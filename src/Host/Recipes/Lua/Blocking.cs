namespace Host.Recipes.Lua;

/// <summary>
/// The recipe API's functions block: Lua calls them synchronously on the recipe's own thread, so
/// each waits for the async work it starts (and its exception surfaces unwrapped).
/// </summary>
internal static class Blocking
{
    public static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    public static void Wait(Task task) => task.GetAwaiter().GetResult();

    public static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();
}
