namespace BusinessInbox.Workers;

/// <summary>Wakes a background worker as soon as there is work, instead of waiting for its next poll.</summary>
public class WorkSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Dispose()
    {
        _signal.Dispose();
        GC.SuppressFinalize(this);
    }

    public void Wake()
    {
        // Woken once per committed group or message: an exception for every "already awake" costs more
        // than the wake-up itself (dozens a second under load), so the common case is checked first.
        if (_signal.CurrentCount > 0)
        {
            return;
        }
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Woken by another thread in between.
        }
    }

    /// <summary>Waits for a wake-up or the timeout, which runs on the injected clock so tests move time instead of waiting.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
        try
        {
            await _signal.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }
}
