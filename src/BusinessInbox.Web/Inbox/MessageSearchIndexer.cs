namespace BusinessInbox.Inbox;

/// <summary>
/// Brings the <see cref="MessageSearchIndex"/> up to date a few times a second, beside the writers: a pass reads the inbox
/// database and writes the index's own file, and takes the <see cref="WriteGate"/> only to clear the deletions and edits
/// it took in. Until a new message is taken in, <see cref="MessageSearch"/> compares it with the term one by one.
/// </summary>
public sealed class MessageSearchIndexer(MessageSearchIndex index, TimeProvider clock, ILogger<MessageSearchIndexer> logger)
    : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        try
        {
            while (true)
            {
                // Armed again after each pass, not a periodic timer: a clock moved on by days (in tests) runs one pass.
                await Task.Delay(Period, clock, stoppingToken);
                try
                {
                    // A backlog (the first start after an upgrade, or a busy spell) is taken in batch after batch.
                    await index.CatchUpAsync(stoppingToken);
                    if (failing)
                    {
                        failing = false;
                        logger.LogInformation("The message search index is being brought up to date again");
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // New messages not taken in are still found, compared one by one, until a pass succeeds. Said once, not
                    // four times a second.
                    if (!failing)
                    {
                        failing = true;
                        logger.LogWarning(ex, "Bringing the message search index up to date failed; trying again every {Period}", Period);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
