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
/// </summary>
public sealed class AutoReplyWorker(
    IServiceScopeFactory scopes,
    AutoReplySignal signal,
    OutboxSignal outbox,
    TimeProvider clock,
    ILogger<AutoReplyWorker> logger) : QueueWorker(signal, clock, TimeSpan.FromSeconds(10), logger)
{
    protected override string WorkName => "Applying automatic replies";

    /// <summary>Handles the oldest job; false when there is none.</summary>
    protected override async Task<bool> ProcessNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        var gate = scope.ServiceProvider.GetRequiredService<WriteGate>();
        var notifier = scope.ServiceProvider.GetRequiredService<InboxNotifier>();

        List<long> written = [];
        int businessId, chatId;
        using (await gate.EnterAsync(ct))
        {
            var job = await db.AutoReplyJobs.OrderBy(j => j.Id).FirstOrDefaultAsync(ct);
            if (job is null)
            {
                return false;
            }
            var message = await db.Messages.Include(m => m.Chat).ThenInclude(c => c.Contact).SingleAsync(m => m.Id == job.MessageId, ct);
            var chat = message.Chat;
            var business = await db.Businesses.AsNoTracking().SingleAsync(b => b.Id == job.BusinessId, ct);
            var previous = await db.Messages
                .Where(m => m.Chat.ContactId == chat.ContactId && m.Direction == MessageDirection.Inbound && m.Id < message.Id)
                .MaxAsync(m => (DateTimeOffset?)m.CreatedAt, ct);

            var hours = business.Hours.In(business.TimeZone);
            var businessClock = new BusinessClock(hours);
            var labelIds = await db.ChatLabels.Where(cl => cl.ChatId == chat.Id).Select(cl => cl.LabelId).ToListAsync(ct);
            var facts = new InboundFacts(message.CreatedAt, message.Body, chat.Contact.IsBlocked, previous,
                chat.LastStaffReplyAt, chat.LastAwaySentAt, chat.LastAwayPeriod, labelIds);
            var replies = AutoReplyRules.Decide(business.AutoReplies, businessClock, facts);

            var now = Clock.GetUtcNow();
            var values = Placeholders.ValuesFor(business, hours, businessClock, chat.Contact.Name, now);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var added = new List<Message>();
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
                    BusinessId = business.Id, ChatId = chat.Id, Channel = chat.Channel, Direction = MessageDirection.Outbound,
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
            db.AutoReplyJobs.Remove(job);
            await db.SaveChangesAsync(ct);
            if (added.Count > 0)
            {
                chat.LastMessageId = added[^1].Id;
                foreach (var sent in added)
                {
                    await Stats.StatsRecorder.MessageWrittenAsync(db, sent, ct);
                }
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
            written = added.Select(m => m.Id).ToList();
            businessId = business.Id;
            chatId = chat.Id;
        }

        if (written.Count > 0)
        {
            outbox.Wake();
            db.ChangeTracker.Clear();
            var summary = (await InboxQueries.FindChatAsync(db, businessId, chatId, ct))!;
            foreach (var id in written)
            {
                await notifier.MessageAddedAsync(businessId, summary, (await InboxQueries.MessageAsync(db, id, ct))!);
            }
        }
        return true;
    }
}
