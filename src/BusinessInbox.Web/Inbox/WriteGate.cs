namespace BusinessInbox.Inbox;

/// <summary>
/// Serializes the app's writes to the database. SQLite allows one writer at a time and its busy
/// handler sleeps and polls, which shows as long stalls at the tail; queueing writers in-process
/// removes those stalls and the lost-update races of read-modify-write on counters.
/// </summary>
public sealed class WriteGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<Releaser> EnterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new Releaser(_gate);
    }

    public void Dispose() => _gate.Dispose();

    public readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
