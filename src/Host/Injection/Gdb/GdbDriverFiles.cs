using Host.Linux;

namespace Host.Injection.Gdb;

/// <summary>
/// What gdb is given to run: the driver (gdb_safe_point.py and gdb_driver.py, joined in this order)
/// and, beside it, the safe-point policy it reads as data (native/injector/safe_point_policy.def,
/// the file host-inject compiles in), so that both injectors follow one list.
/// </summary>
internal static class GdbDriverFiles
{
    public const string Policy = "safe_point_policy.def";

    /// <summary>Writes both into the folder (the plan's too, where the driver looks); the driver's path.</summary>
    public static string Write(PrivateDirectory scratch)
    {
        File.WriteAllText(scratch.File(Policy), EmbeddedFile.Read(Policy));
        var driver = scratch.File("gdb_driver.py");
        File.WriteAllText(driver, EmbeddedFile.Read("gdb_safe_point.py") + "\n" + EmbeddedFile.Read("gdb_driver.py"));
        return driver;
    }
}
