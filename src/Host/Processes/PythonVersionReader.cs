using System.Globalization;
using Host.Linux;

namespace Host.Processes;

/// <summary>
/// The exact version of a running CPython 3.11+, from outside: Py_Version (PY_VERSION_HEX, exported
/// since 3.11) read from the process's memory where the interpreter's file is mapped. Needs the
/// same permission as attaching; where it is not given (or the file or symbol is missing) the
/// version found in file names stands.
/// </summary>
internal static class PythonVersionReader
{
    /// <summary>"3.14.7" (with a release level when not final: "3.15.0b2"), or null.</summary>
    public static string? Read(int pid, string interpreterFile)
    {
        if (MappedSymbols.Address(pid, interpreterFile, "Py_Version") is not { } address)
            return null;
        Span<byte> bytes = stackalloc byte[4];
        try
        {
            using var memory = new ProcessMemory(pid);
            if (!memory.TryRead(address, bytes))
                return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Describe(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes));
    }

    /// <summary>PY_VERSION_HEX as Python prints it: 0x030E07F0 is "3.14.7", 0x030F00B2 "3.15.0b2".</summary>
    public static string? Describe(uint hex)
    {
        uint major = hex >> 24, minor = (hex >> 16) & 0xff, micro = (hex >> 8) & 0xff, level = (hex >> 4) & 0xf, serial = hex & 0xf;
        if (major is < 2 or > 4 || minor > 99)
            return null;
        var text = string.Create(CultureInfo.InvariantCulture, $"{major}.{minor}.{micro}");
        return level switch
        {
            0xF => text,
            0xA => text + "a" + serial,
            0xB => text + "b" + serial,
            0xC => text + "rc" + serial,
            _ => null,
        };
    }
}
