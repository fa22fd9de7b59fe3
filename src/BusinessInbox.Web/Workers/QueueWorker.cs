namespace BusinessInbox.Workers;

/// <summary>
/// A background worker that drains a queue kept in the database, one item at a time: woken by its signal
/// as soon as work is committed, and polling now and then as a safety net. A failed item is logged and
/// tried again on the next round; the database row is what makes the work durable.
/// </summary>
public abstract class QueueWorker(WorkSignal signal, TimeProvider clock, TimeSpan pollInterval, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected ILogger Logger { get; } = logger;

    /// <summary>Handles the oldest item; false when there is none.</summary>
    protected abstract Task<bool> ProcessNextAsync(CancellationToken ct);

    /// <summary>What the log says when an item fails ("Applying automatic replies").</summary>
    protected abstract string WorkName { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ProcessNextAsync(stoppingToken))
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Logger.LogError(ex, "{Work} failed; trying again shortly", WorkName);
            }
            await signal.WaitAsync(pollInterval, Clock, stoppingToken);
        }
    }
}
