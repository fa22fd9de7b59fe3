using System.Threading.Channels;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// Group commit of status webhooks, as <see cref="InboundWriter"/> does for customer messages: every status that arrives
/// while the previous group is written joins the next one, stored in one transaction behind the <see cref="WriteGate"/>
/// with the messages found in one query per business and the statistics added once. Each caller is answered after its
/// group's commit ("acknowledged" still means "stored"); the ticks are pushed to the staff after that.
/// See docs/decisions/0019-ingest-writes-in-groups.md.
/// </summary>
public sealed class WhatsAppStatusWriter(
    IServiceScopeFactory scopes, WriteGate gate, TimeProvider clock, InboxNotifier notifier, ILogger<WhatsAppStatusWriter> logger)
    : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(InboundWriter.MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public async Task ApplyAsync(int businessId, StatusUpdate update, CancellationToken ct)
    {
        var pending = new Pending(businessId, update, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InboxBusyException();
        }
        await pending.Done.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var group = new List<Pending>();
                while (group.Count < InboundWriter.MaxGroup && reader.TryRead(out var pending))
                {
                    group.Add(pending);
                }
                await WriteAsync(group);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left))
            {
                left.Done.TrySetCanceled(stoppingToken);
            }
        }
    }

    private async Task WriteAsync(List<Pending> group)
    {
        List<Message> changed;
        try
        {
            changed = await StoreAsync(group);
        }
        catch (Exception ex) when (group.Count > 1)
        {
            // One status that cannot be stored must not fail the others.
            logger.LogWarning(ex, "A group of {Count} status webhooks failed; storing them one at a time", group.Count);
            foreach (var pending in group)
            {
                await WriteAsync([pending]);
            }
            return;
        }
        catch (Exception ex)
        {
            group[0].Done.TrySetException(ex);
            return;
        }
        foreach (var pending in group)
        {
            pending.Done.TrySetResult();
        }
        foreach (var message in changed)
        {
            await WhatsAppStatuses.NotifyAsync(notifier, message);
        }
    }

    /// <returns>The messages whose status moved, as they are after the group.</returns>
    private async Task<List<Message>> StoreAsync(List<Pending> group)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        using (await gate.EnterAsync(CancellationToken.None))
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            var now = clock.GetUtcNow();
            var known = new Dictionary<(int, string), Message>();
            foreach (var business in group.GroupBy(p => p.BusinessId))
            {
                var ids = business.Select(p => p.Update.ExternalId).Distinct().ToList();
                foreach (var m in await db.Messages
                    .Where(m => m.Channel == ChannelKind.WhatsApp && ids.Contains(m.ExternalId!) && m.BusinessId == business.Key).ToListAsync())
                {
                    known[(business.Key, m.ExternalId!)] = m;
                }
            }

            var tally = new Stats.StatsRecorder.Tally(db);
            var changed = new Dictionary<long, Message>();
            var staleRemoved = false;
            foreach (var (businessId, update, _) in group)
            {
                if (!known.TryGetValue((businessId, update.ExternalId), out var message))
                {
                    message = await WhatsAppStatuses.FindByCallbackAsync(db, businessId, update, default);
                    if (message is not null)
                    {
                        known[(businessId, update.ExternalId)] = message;
                    }
                }
                if (message is null)
                {
                    if (!staleRemoved)
                    {
                        // Statuses for messages sent from the shop's own phone never find a match: keep them a week at most.
                        var stale = now - WhatsAppStatuses.PendingKeptFor;
                        await db.PendingStatuses.Where(p => p.ReceivedAt < stale).ExecuteDeleteAsync();
                        staleRemoved = true;
                    }
                    db.PendingStatuses.Add(new PendingStatus
                    {
                        BusinessId = businessId, ExternalId = update.ExternalId, Status = update.Status, FailureReason = update.FailureReason,
                        PricingCategory = update.PricingCategory, Billable = update.Billable, ReceivedAt = now,
                    });
                }
                else if (await WhatsAppStatuses.ApplyToAsync(db, message, update, now, tally, default))
                {
                    changed[message.Id] = message;
                }
            }
            await db.SaveChangesAsync();
            await tally.SaveAsync(default);
            await tx.CommitAsync();
            return [.. changed.Values];
        }
    }

    private sealed record Pending(int BusinessId, StatusUpdate Update, TaskCompletionSource Done);
}
