namespace Host.Plugins.Pdb;

/// <summary>Where the debugged thread is, as far as the host knows; decides what Ctrl-C does.</summary>
internal enum PdbState
{
    Starting,
    Prompt,
    Running,
    Waiting,
}
