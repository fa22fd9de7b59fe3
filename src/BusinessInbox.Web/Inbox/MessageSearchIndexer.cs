namespace BusinessInbox.Inbox;

/// <summary>
/// Brings the <see cref="MessageSearchIndex"/> up to date a few times a second, beside the writers: a pass holds neither
/// the <see cref="WriteGate"/> nor the inbox database's write lock. Until a message is taken in, <see cref="MessageSearch"/>
/// compares it with the term one by one.
/// </summary>
public sealed class MessageSearchIndexer(MessageSearchIndex index, TimeProvider clock, ILogger<MessageSearchIndexer> logger)
    : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                // Armed again after each pass, not a periodic timer: a clock moved on by days (in tests) runs one pass.
                await Task.Delay(Period, clock, stoppingToken);
                try
                {
                    while (await index.IndexAsync(stoppingToken) >= MessageSearchIndex.BatchSize)
                    {
                        // A backlog (the first start after an upgrade, or a busy spell): the next batch at once.
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Messages not taken in are still found, compared one by one, until a pass succeeds.
                    logger.LogWarning(ex, "Bringing the message search index up to date failed; trying again shortly");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
