using BusinessInbox.AutoReplies;
using BusinessInbox.Data;
using BusinessInbox.Hours;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Workers;

/// <summary>Wakes the auto-reply worker when a customer message with auto-reply work is committed.</summary>
public sealed class AutoReplySignal : WorkSignal;

/// <summary>
/// Applies the business's automatic replies to customer messages. Each job is decided with the facts as
/// they are when it runs (a staff reply that came first wins), and its replies, the chat's away-period
/// bookkeeping and the job's removal are committed together: a restart never sends a reply twice or loses one.
/// Jobs are taken in groups (in order, each seeing what the ones before it changed) and a group is committed
/// in one transaction: one entry into the <see cref="WriteGate"/> per group rather than per customer message.
/// </summary>
public sealed class AutoReplyWorker(
    IServiceScopeFactory scopes,
    AutoReplySignal signal,
    OutboxSignal outbox,
    TimeProvider clock,
    ILogger<AutoReplyWorker> logger) : QueueWorker(signal, clock, TimeSpan.FromSeconds(10), logger)
{
    /// <summary>As many jobs as an inbound group can bring.</summary>
    private const int GroupSize = InboundWriter.MaxGroup;

    // After a group fails, the next round takes one job, so that the jobs before a failing one still go through.
    private int _groupSize = GroupSize;

    protected override string WorkName => "Applying automatic replies";

    /// <summary>Handles the oldest jobs; false when there is none.</summary>
    protected override async Task<bool> ProcessNextAsync(CancellationToken ct)
    {
        try
        {
            var any = await ProcessGroupAsync(_groupSize, ct);
            _groupSize = GroupSize;
            return any;
        }
        catch (Exception ex) when (_groupSize > 1 && !ct.IsCancellationRequested)
        {
            Logger.LogWarning(ex, "A group of automatic-reply jobs failed; taking them one at a time");
            _groupSize = 1;
            return true;
        }
    }

    private async Task<bool> ProcessGroupAsync(int size, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        var gate = scope.ServiceProvider.GetRequiredService<WriteGate>();
        var notifier = scope.ServiceProvider.GetRequiredService<InboxNotifier>();

        var added = new List<Message>();
        using (await gate.EnterAsync(ct))
        {
            var jobs = await db.AutoReplyJobs.OrderBy(j => j.Id).Take(size).ToListAsync(ct);
            if (jobs.Count == 0)
            {
                return false;
            }
            var messageIds = jobs.Select(j => j.MessageId).ToList();
            var messages = await db.Messages.Include(m => m.Chat).ThenInclude(c => c.Contact)
                .Where(m => messageIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
            // The contact's previous message to the business (any channel): all of them were stored before their jobs.
            var previous = await db.Messages.Where(m => messageIds.Contains(m.Id))
                .Select(m => new
                {
                    m.Id,
                    At = db.Messages.Where(p => p.Chat.ContactId == m.Chat.ContactId && p.Direction == MessageDirection.Inbound && p.Id < m.Id)
                        .Max(p => (DateTimeOffset?)p.CreatedAt),
                })
                .ToDictionaryAsync(p => p.Id, p => p.At, ct);
            var businessIds = jobs.Select(j => j.BusinessId).Distinct().ToList();
            var businesses = await db.Businesses.AsNoTracking().Where(b => businessIds.Contains(b.Id)).ToDictionaryAsync(b => b.Id, ct);
            var chatIds = messages.Values.Select(m => m.ChatId).Distinct().ToList();
            var labels = (await db.ChatLabels.Where(cl => chatIds.Contains(cl.ChatId)).Select(cl => new { cl.ChatId, cl.LabelId }).ToListAsync(ct))
                .ToLookup(cl => cl.ChatId, cl => cl.LabelId);

            var now = Clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            foreach (var job in jobs)
            {
                db.AutoReplyJobs.Remove(job);
                if (!messages.TryGetValue(job.MessageId, out var message))
                {
                    // The message was erased before its turn: nothing to answer.
                    continue;
                }
                var chat = message.Chat;
                var business = businesses[job.BusinessId];
                var hours = business.Hours.In(business.TimeZone);
                var businessClock = new BusinessClock(hours);
                var facts = new InboundFacts(message.CreatedAt, message.Body, chat.Contact.IsBlocked, previous.GetValueOrDefault(message.Id),
                    chat.LastStaffReplyAt, chat.LastAwaySentAt, chat.LastAwayPeriod, labels[chat.Id].ToList());
                var replies = AutoReplyRules.Decide(business.AutoReplies, businessClock, facts);
                if (replies.Count == 0)
                {
                    continue;
                }
                var values = Placeholders.ValuesFor(business, hours, businessClock, chat.Contact.Name, now);
                foreach (var reply in replies)
                {
                    var body = Placeholders.Render(reply.Template, values).Trim();
                    if (body.Length == 0)
                    {
                        continue;
                    }
                    if (MessageText.CodePoints(body) > MessageText.MaxLength)
                    {
                        body = string.Concat(body.EnumerateRunes().Take(MessageText.MaxLength));
                    }
                    var automatic = new Message
                    {
                        BusinessId = business.Id, Chat = chat, Channel = chat.Channel, Direction = MessageDirection.Outbound,
                        Author = MessageAuthor.Automatic, Kind = MessageKind.Text, Body = body, Status = MessageStatus.Queued, CreatedAt = now,
                    };
                    db.Messages.Add(automatic);
                    db.Outbox.Add(new OutboxItem { BusinessId = business.Id, Message = automatic, NextAttemptAt = now, CreatedAt = now });
                    added.Add(automatic);
                    if (reply.Kind == AutoReplyKind.Away)
                    {
                        chat.LastAwaySentAt = now;
                        chat.LastAwayPeriod = reply.AwayPeriod;
                    }
                    chat.LastMessageAt = now;
                    chat.LastMessagePreview = MessageText.Preview(body);
                }
            }
            await db.SaveChangesAsync(ct);
            if (added.Count > 0)
            {
                var tally = new Stats.StatsRecorder.Tally(db);
                foreach (var sent in added)
                {
                    sent.Chat.LastMessageId = Math.Max(sent.Chat.LastMessageId ?? 0, sent.Id);
                    await tally.AutomaticReplyWrittenAsync(sent, ct);
                }
                await tally.SaveAsync(ct);
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
        }

        if (added.Count > 0)
        {
            outbox.Wake();
            db.ChangeTracker.Clear();
            var chatIds = added.Select(m => m.ChatId).Distinct().ToList();
            var summaries = await db.Chats.AsNoTracking().Where(c => chatIds.Contains(c.Id)).Select(InboxQueries.ToSummary).ToDictionaryAsync(c => c.Id, ct);
            var views = await InboxQueries.MessagesAsync(db, added.Select(m => m.Id).ToList(), ct);
            foreach (var m in added)
            {
                if (summaries.TryGetValue(m.ChatId, out var summary) && views.TryGetValue(m.Id, out var view))
                {
                    await notifier.MessageAddedAsync(m.BusinessId, summary, view);
                }
            }
        }
        return true;
    }
}
