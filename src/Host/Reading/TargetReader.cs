using Host.Abstractions;
using Host.Linux;

namespace Host.Reading;

/// <summary>The reading primitive (contract 1.3) for one target: its memory, its interpreter's symbols, its stacks.</summary>
internal sealed class TargetReader(TargetProcess process) : IProcessReader
{
    private readonly ProcessMemory _memory = new(process.Pid);

    public TargetProcess Process { get; } = process;

    public bool TryRead(ulong address, Span<byte> destination)
    {
        try
        {
            return _memory.TryRead(address, destination);
        }
        catch (ProcessGoneException)
        {
            throw new CapabilityException(ExitCodes.TargetNotFound, $"process {Process.Pid} has exited");
        }
        catch (UnauthorizedAccessException)
        {
            throw Processes.PermissionAdvisor.Denied(Process.Pid, Process.Uid, Process.UserName);
        }
    }

    public ulong? FindSymbol(string name) => MappedSymbols.Address(Process.Pid, Process.Libpython ?? Process.Executable, name);

    public Task<PythonStacks> ReadStacksAsync(StackReadOptions options, CancellationToken cancellationToken) =>
        OutsideReader.ReadAsync(Process, options).WaitAsync(cancellationToken);

    public IStackSampler OpenSampler(SamplerOptions options) => new Sampling.StackSampler(Process, options);

    public void Dispose() => _memory.Dispose();
}
