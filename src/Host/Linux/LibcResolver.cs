using System.Reflection;
using System.Runtime.InteropServices;

namespace Host.Linux;

/// <summary>
/// Binds the "libc" of every [LibraryImport("libc")] to glibc's real file at once. Left to the
/// runtime, the name is probed as libc.so, liblibc.so and so on in several folders, and libc.so is
/// a linker script dlopen refuses: a dozen failed opens on the first call, on every run.
/// </summary>
internal static class LibcResolver
{
    private const string Glibc = "libc.so.6";

    public static void Install() => NativeLibrary.SetDllImportResolver(typeof(LibcResolver).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == "libc" && NativeLibrary.TryLoad(Glibc, out var handle) ? handle : IntPtr.Zero;
}
