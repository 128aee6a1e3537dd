using System.Globalization;
using Host.Linux;
using Microsoft.Win32.SafeHandles;

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
        var mapping = ProcFs.MappingOf(pid, interpreterFile);
        if (mapping is not { } mapped)
            return null;
        var symbol = ElfSymbols.Find($"/proc/{pid}/map_files/{mapped.Start:x}-{mapped.End:x}", "Py_Version")
            ?? ElfSymbols.Find($"/proc/{pid}/root{interpreterFile}", "Py_Version");
        if (symbol is not { } found)
            return null;
        var address = mapped.Start - found.FirstLoad + found.Value;
        Span<byte> bytes = stackalloc byte[4];
        try
        {
            using SafeFileHandle memory = File.OpenHandle($"/proc/{pid}/mem");
            if (RandomAccess.Read(memory, bytes, (long)address) != 4)
                return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
        var hex = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        return Describe(hex);
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
