using System.Globalization;

namespace Host.Reading.Sampling;

/// <summary>
/// Where the target's mappings start, from /proc/PID/maps, read again only when asked about an
/// address none of the known ones holds (a data-stack chunk mapped since): for a stack window,
/// how far down from a frame memory can be read without reaching an unmapped page. Bounded: a
/// process with more mappings than <see cref="MaxRanges"/> keeps the first ones only.
/// </summary>
internal sealed class MappedRanges(int pid)
{
    private const int MaxRanges = 1 << 16;
    private ulong[] _starts = [], _ends = [];
    private int _count;

    /// <summary>The start of the mapping that holds <paramref name="address"/>; null when none does, even after reading the maps again.</summary>
    public ulong? StartOf(ulong address) => Find(address) ?? (Reload() ? Find(address) : null);

    /// <summary>As <see cref="StartOf"/>, from what is known already: no read.</summary>
    public ulong? KnownStartOf(ulong address) => Find(address);

    private ulong? Find(ulong address)
    {
        // Sorted, as the kernel lists them: the last start at or below the address.
        int low = 0, high = _count - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (_starts[middle] <= address)
                low = middle + 1;
            else
                high = middle - 1;
        }
        return high >= 0 && address < _ends[high] ? _starts[high] : null;
    }

    private bool Reload()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/maps");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        var count = Math.Min(lines.Length, MaxRanges);
        if (_starts.Length < count)
        {
            _starts = new ulong[count];
            _ends = new ulong[count];
        }
        _count = 0;
        for (var i = 0; i < count; i++)
        {
            var line = lines[i].AsSpan();
            var dash = line.IndexOf('-');
            var space = line.IndexOf(' ');
            if (dash <= 0 || space <= dash
                || !ulong.TryParse(line[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                || !ulong.TryParse(line[(dash + 1)..space], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
                continue;
            // Adjacent mappings read as one range: a window may span them.
            if (_count > 0 && _ends[_count - 1] == start)
            {
                _ends[_count - 1] = end;
                continue;
            }
            (_starts[_count], _ends[_count]) = (start, end);
            _count++;
        }
        return true;
    }
}
