using Host.Abstractions;
using Newtonsoft.Json;

namespace Misbehaving;

/// <summary>A capability that uses Newtonsoft.Json from its constructor: the tests delete that DLL.</summary>
public sealed class NeedsDependency : ICapability
{
    private readonly string _greeting = JsonConvert.SerializeObject(new { hello = "world" });

    public string Name => "needs-dependency";

    public string Description => "Uses Newtonsoft.Json " + _greeting;

    public IReadOnlyList<CapabilityOption> Options => [];

    public Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        context.Output.WriteLine(_greeting);
        return Task.FromResult(ExitCodes.Ok);
    }
}
