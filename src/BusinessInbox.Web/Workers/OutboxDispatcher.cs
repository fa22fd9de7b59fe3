using BusinessInbox.Channels;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Workers;

public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Attempts before a message is marked failed.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>First retry delay; each further attempt doubles it (with jitter).</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the dispatcher looks for due work when nobody wakes it.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Wakes the dispatcher as soon as a reply is committed, instead of waiting for its next poll.</summary>
public sealed class OutboxSignal : WorkSignal;

/// <summary>
/// Delivers queued outbound messages through their channel. A delivery that fails for a passing
/// reason is retried with exponential backoff and jitter; a lasting failure, or running out of
/// attempts, marks the message failed with the reason so staff can see it and retry.
/// Rows survive a crash: whatever was committed is sent after a restart.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    TimeProvider clock,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await DispatchDueAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "The outbox dispatcher failed; trying again shortly");
                wait = options.Value.PollInterval;
            }
            await signal.WaitAsync(wait, clock, stoppingToken);
        }
    }

    // The dispatcher is woken for every group that queued a reply, dozens of times a second under load: its two
    // queries are compiled once, so a wake-up pays for the statements alone.
    private static readonly Func<InboxDb, DateTimeOffset, IAsyncEnumerable<DueItem>> DueAt = EF.CompileAsyncQuery(
        (InboxDb db, DateTimeOffset now) => db.Outbox.AsNoTracking()
            .Where(o => o.NextAttemptAt <= now)
            .OrderBy(o => o.Id)
            .Take(BatchSize)
            .Select(o => new DueItem(o.Id, o.MessageId, o.Attempts, o.BusinessId, o.Message.ChatId, o.Message.Channel, o.Message.Body, o.TimedOutAt)));

    private static readonly Func<InboxDb, CancellationToken, Task<DateTimeOffset?>> NextAttemptAt = EF.CompileAsyncQuery(
        (InboxDb db, CancellationToken ct) => db.Outbox.AsNoTracking().OrderBy(o => o.NextAttemptAt).Select(o => (DateTimeOffset?)o.NextAttemptAt).FirstOrDefault());

    /// <summary>Sends every due item; returns how long to sleep before the next one falls due.</summary>
    internal async Task<TimeSpan> DispatchDueAsync(CancellationToken ct)
    {
        var poll = options.Value.PollInterval;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
            var now = clock.GetUtcNow();
            var due = await DueAt(db, now).ToListAsync(ct);
            // Each "sent" is written with the inbound writer's next group while the sends go on; all of them are stored
            // before the outbox is read again, so that no row is found and sent a second time.
            var recording = new List<Task>(due.Count);
            foreach (var item in due)
            {
                if (await DispatchAsync(scope.ServiceProvider, item, ct) is { } sent)
                {
                    recording.Add(sent);
                }
            }
            await Task.WhenAll(recording);
            // A full batch may have more due behind it. Otherwise every row due at `now` was taken, and what was queued
            // since (or rescheduled) is due at the earliest attempt left: at once, or later.
            if (due.Count < BatchSize)
            {
                return await NextAttemptAt(db, ct) is { } next ? Clamp(next - clock.GetUtcNow(), poll) : poll;
            }
        }
    }

    private static TimeSpan Clamp(TimeSpan wait, TimeSpan max) =>
        wait < TimeSpan.Zero ? TimeSpan.Zero : wait > max ? max : wait;

    /// <summary>Sends one item; returns the recording of its "sent", still being stored, or null when the item ended otherwise.</summary>
    private async Task<Task?> DispatchAsync(IServiceProvider services, DueItem item, CancellationToken ct)
    {
        var status = services.GetRequiredService<OutboundStatus>();
        var sender = services.GetServices<IChannelSender>().FirstOrDefault(s => s.Channel == item.Channel);
        if (sender is null)
        {
            await status.FailedAsync(item.OutboxId, item.MessageId, "This channel is not connected.", ct);
            return null;
        }
        if (item.TimedOutAt is not null)
        {
            // A confirmation would have removed the row: sending again could deliver it twice, so a person decides.
            await status.FailedAsync(item.OutboxId, item.MessageId, UnconfirmedReason, ct);
            return null;
        }
        try
        {
            var result = await sender.SendAsync(new OutgoingMessage(item.BusinessId, item.ChatId, item.MessageId, item.Body), ct);
            return status.SentAsync(item.MessageId, result.ExternalId, ct);
        }
        catch (ChannelSendUnconfirmedException ex)
        {
            logger.LogWarning("Message {MessageId} timed out; waiting {Wait} for the channel to confirm it", item.MessageId, ex.WaitForConfirmation);
            await RescheduleAsync(services, item, ex.WaitForConfirmation, ex.Message, timedOut: true, ct);
        }
        catch (ChannelSendException ex) when (!ex.Transient || item.Attempts + 1 >= options.Value.MaxAttempts)
        {
            logger.LogWarning("Message {MessageId} failed after {Attempts} attempts: {Reason}", item.MessageId, item.Attempts + 1, ex.Message);
            await status.FailedAsync(item.OutboxId, item.MessageId, ex.Message, ct);
        }
        catch (Exception ex) when (ex is ChannelSendException or HttpRequestException or TimeoutException
                                   || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            if (item.Attempts + 1 >= options.Value.MaxAttempts)
            {
                await status.FailedAsync(item.OutboxId, item.MessageId, "The channel could not be reached.", ct);
                return null;
            }
            var delay = Backoff(item.Attempts);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Message {MessageId} will be retried in {Delay} (attempt {Attempt})", item.MessageId, delay, item.Attempts + 1);
            }
            await RescheduleAsync(services, item, delay, ex.Message, timedOut: false, ct);
        }
        return null;
    }

    /// <summary>Exponential backoff with full jitter between half and all of the step.</summary>
    internal TimeSpan Backoff(int attempts) => Workers.Backoff.Jittered(options.Value.FirstRetryDelay, options.Value.MaxRetryDelay, attempts);

    public const string UnconfirmedReason = "No confirmation from the channel — it may not have been sent";

    private async Task RescheduleAsync(IServiceProvider services, DueItem item, TimeSpan delay, string error, bool timedOut, CancellationToken ct)
    {
        var db = services.GetRequiredService<InboxDb>();
        var gate = services.GetRequiredService<WriteGate>();
        var next = clock.GetUtcNow() + delay;
        var reason = error.Length > 500 ? error[..500] : error;
        using (await gate.EnterAsync(ct))
        {
            await db.Outbox.Where(o => o.Id == item.OutboxId).ExecuteUpdateAsync(s => s
                .SetProperty(o => o.Attempts, o => o.Attempts + 1)
                .SetProperty(o => o.NextAttemptAt, next)
                .SetProperty(o => o.LastError, reason), ct);
            if (timedOut)
            {
                DateTimeOffset? now = clock.GetUtcNow();
                await db.Outbox.Where(o => o.Id == item.OutboxId).ExecuteUpdateAsync(s => s.SetProperty(o => o.TimedOutAt, now), ct);
            }
        }
    }

    private sealed record DueItem(long OutboxId, long MessageId, int Attempts, int BusinessId, int ChatId, ChannelKind Channel, string Body, DateTimeOffset? TimedOutAt);
}
