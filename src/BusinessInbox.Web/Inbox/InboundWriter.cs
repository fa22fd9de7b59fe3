using System.Threading.Channels;
using BusinessInbox.Data;
using BusinessInbox.Workers;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

/// <summary>
/// Group commit of customer messages: every message that arrives while the previous group is being written
/// joins the next group, which is stored in one transaction behind the <see cref="WriteGate"/>. Each caller
/// is answered only after its group's commit, so "acknowledged" still means "durably stored"; the staff
/// and customer pushes follow from a second loop without holding up the acknowledgements.
/// See docs/decisions/0015-group-commit-of-inbound-messages.md.
/// </summary>
public sealed class InboundWriter(
    IServiceScopeFactory scopes, WriteGate gate, TimeProvider clock, InboxNotifier notifier, AutoReplySignal autoReplySignal,
    Channels.WhatsApp.WhatsAppMediaSignal mediaSignal, ILogger<InboundWriter> logger)
    : BackgroundService
{
    /// <summary>Enough to amortise a commit; small enough that one group is written in a few milliseconds.</summary>
    public const int MaxGroup = 256;

    /// <summary>
    /// Messages waiting for a group beyond this are refused (<see cref="InboxBusyException"/>) or, for callers that can wait,
    /// held back: a fraction of a second of work at full speed, and a bound on the memory an overload can take.
    /// </summary>
    public const int MaxQueued = 8 * MaxGroup;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Channel<List<Stored>> _pushes = Channel.CreateUnbounded<List<Stored>>(new UnboundedChannelOptions { SingleReader = true });

    /// <param name="refuseWhenBusy">Throw <see cref="InboxBusyException"/> when the queue is full (a webhook, whose sender retries) instead of waiting for room.</param>
    public async Task<InboundResult> ReceiveAsync(InboundMessage inbound, bool refuseWhenBusy, CancellationToken ct)
    {
        var pending = new Pending(inbound, new TaskCompletionSource<InboundResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            if (refuseWhenBusy)
            {
                throw new InboxBusyException();
            }
            await _queue.Writer.WriteAsync(pending, ct);
        }
        // A caller that gives up still has its message stored: a later redelivery is then a duplicate.
        return await pending.Done.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pushing = PushLoopAsync();
        try
        {
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var group = new List<Pending>();
                while (group.Count < MaxGroup && reader.TryRead(out var pending))
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
            _pushes.Writer.TryComplete();
            await pushing;
        }
    }

    private async Task WriteAsync(List<Pending> group)
    {
        List<Stored> stored;
        try
        {
            stored = await StoreAsync(group);
        }
        catch (Exception ex) when (group.Count > 1)
        {
            // One message that cannot be stored must not fail the others: write them one by one.
            logger.LogWarning(ex, "A group of {Count} inbound messages failed; storing them one at a time", group.Count);
            foreach (var pending in group)
            {
                await WriteAsync([pending]);
            }
            return;
        }
        catch (Exception ex)
        {
            // Another process may have stored the same delivery between our check and our insert.
            if (ex is DbUpdateException && await StoredEarlierAsync(group[0].Message) is { } earlier)
            {
                group[0].Done.TrySetResult(earlier);
            }
            else
            {
                group[0].Done.TrySetException(ex);
            }
            return;
        }
        foreach (var s in stored)
        {
            s.Pending.Done.TrySetResult(s.Result);
        }
        var fresh = stored.Where(s => !s.Result.Duplicate).ToList();
        if (fresh.Count > 0)
        {
            _pushes.Writer.TryWrite(fresh);
        }
    }

    private async Task<InboundResult?> StoredEarlierAsync(InboundMessage inbound)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        return await db.Messages.AsNoTracking()
            .Where(m => m.Channel == inbound.Channel && m.ExternalId == inbound.ExternalMessageId)
            .Select(m => new InboundResult(m.Id, m.ChatId, true)).FirstOrDefaultAsync();
    }

    private async Task<List<Stored>> StoreAsync(List<Pending> group)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        using (await gate.EnterAsync(CancellationToken.None))
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            var now = clock.GetUtcNow();
            var earlier = new Dictionary<(ChannelKind, string), InboundResult>();
            foreach (var channel in group.Select(p => p.Message.Channel).Distinct())
            {
                var ids = group.Where(p => p.Message.Channel == channel).Select(p => p.Message.ExternalMessageId).Distinct().ToList();
                foreach (var m in await db.Messages.AsNoTracking().Where(m => m.Channel == channel && ids.Contains(m.ExternalId!))
                    .Select(m => new { m.ExternalId, m.Id, m.ChatId }).ToListAsync())
                {
                    earlier[(channel, m.ExternalId!)] = new InboundResult(m.Id, m.ChatId, Duplicate: true);
                }
            }

            var batch = new Batch(db, now);
            await batch.LoadAsync(group.Where(p => !earlier.ContainsKey((p.Message.Channel, p.Message.ExternalMessageId))).Select(p => p.Message).ToList());
            var written = new List<(Pending Pending, Message Message, Chat Chat, bool NewContact, bool? EpisodeReopened, bool AutoReplyDue)>();
            var firstInGroup = new Dictionary<(ChannelKind, string), Message>();
            var repeats = new List<(Pending Pending, Message Of)>();
            var stored = new List<Stored>();
            foreach (var pending in group)
            {
                var inbound = pending.Message;
                var key = (inbound.Channel, inbound.ExternalMessageId);
                if (earlier.TryGetValue(key, out var duplicate))
                {
                    stored.Add(new Stored(pending, duplicate));
                }
                else if (firstInGroup.TryGetValue(key, out var first))
                {
                    repeats.Add((pending, first));
                }
                else
                {
                    var (message, chat, newContact, episodeReopened, autoReplyDue) = batch.Add(inbound);
                    firstInGroup[key] = message;
                    written.Add((pending, message, chat, newContact, episodeReopened, autoReplyDue));
                }
            }

            await db.SaveChangesAsync();
            // The statistics and counters of the whole group are added up first and written once per business.
            var tally = new Stats.StatsRecorder.Tally(db);
            foreach (var (_, message, chat, newContact, episodeReopened, autoReplyDue) in written)
            {
                chat.LastMessageId = Math.Max(chat.LastMessageId ?? 0, message.Id);
                await tally.CustomerWroteAsync(message, newContact, episodeReopened, default);
                if (autoReplyDue)
                {
                    db.AutoReplyJobs.Add(new AutoReplyJob { BusinessId = message.BusinessId, MessageId = message.Id, CreatedAt = now });
                }
            }
            await InboxCounters.ApplyAsync(db, batch.Before.Select(c => (c.Key.BusinessId, c.Value, (InboxCounters.ChatState?)InboxCounters.ChatState.Of(c.Key))), default);
            await tally.SaveAsync(default);
            await db.SaveChangesAsync();
            await tx.CommitAsync();

            stored.AddRange(written.Select(w => new Stored(w.Pending, new InboundResult(w.Message.Id, w.Message.ChatId, Duplicate: false))));
            stored.AddRange(repeats.Select(r => new Stored(r.Pending, new InboundResult(r.Of.Id, r.Of.ChatId, Duplicate: true))));
            return stored;
        }
    }

    /// <summary>Tells the staff and the customers about a committed group, reading what they are shown in a few queries.</summary>
    private async Task PushLoopAsync()
    {
        await foreach (var group in _pushes.Reader.ReadAllAsync())
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
                var chatIds = group.Select(s => s.Result.ChatId).Distinct().ToList();
                var messageIds = group.Select(s => s.Result.MessageId).ToList();
                var chats = await db.Chats.AsNoTracking().Where(c => chatIds.Contains(c.Id)).Select(InboxQueries.ToSummary).ToDictionaryAsync(c => c.Id);
                var views = await InboxQueries.MessagesAsync(db, messageIds, default);
                foreach (var s in group)
                {
                    if (chats.TryGetValue(s.Result.ChatId, out var chat) && views.TryGetValue(s.Result.MessageId, out var view))
                    {
                        await notifier.MessageAddedAsync(s.Pending.Message.BusinessId, chat, view);
                        await notifier.CustomerMessageAsync(chat.Id, CustomerViews.Of(view));
                    }
                }
                foreach (var businessId in group.Select(s => s.Pending.Message.BusinessId).Distinct())
                {
                    await notifier.CountersAsync(db, businessId, default);
                }
                autoReplySignal.Wake();
            }
            catch (Exception ex)
            {
                // The messages are stored; a browser that missed the push catches up when it reconnects.
                logger.LogWarning(ex, "Could not tell the staff about {Count} new messages", group.Count);
            }
            // After MessageAdded: a file fetched (or refused) at once must not be announced before its message.
            if (group.Any(s => s.Pending.Message.Media is not null))
            {
                mediaSignal.Wake();
            }
        }
    }

    /// <summary>
    /// The contact a channel identity (or, failing that, a phone number) belongs to; a new one, added to the context,
    /// if none. <paramref name="unsaved"/> finds contacts added earlier in the same unit of work by phone.
    /// </summary>
    internal static async Task<Contact> FindOrCreateContactAsync(
        InboxDb db, InboundMessage inbound, DateTimeOffset now, Func<string, Contact?>? unsaved, CancellationToken ct)
    {
        var contact = await db.ContactIdentities
            .Where(i => i.BusinessId == inbound.BusinessId && i.Channel == inbound.Channel && i.ExternalId == inbound.ContactExternalId)
            .Select(i => i.Contact)
            .SingleOrDefaultAsync(ct);
        var hasIdentity = contact is not null;
        if (contact is null && inbound.ContactPhone is not null)
        {
            contact = unsaved?.Invoke(inbound.ContactPhone)
                ?? await db.Contacts.FirstOrDefaultAsync(c => c.BusinessId == inbound.BusinessId && c.Phone == inbound.ContactPhone, ct);
        }
        if (contact is null)
        {
            contact = new Contact { BusinessId = inbound.BusinessId, Phone = inbound.ContactPhone, CreatedAt = now };
            db.Contacts.Add(contact);
        }
        if (!hasIdentity)
        {
            db.ContactIdentities.Add(new ContactIdentity
            {
                BusinessId = inbound.BusinessId, Contact = contact, Channel = inbound.Channel, ExternalId = inbound.ContactExternalId,
            });
        }
        if (string.IsNullOrWhiteSpace(contact.Name) && !string.IsNullOrWhiteSpace(inbound.ContactName))
        {
            contact.Name = inbound.ContactName.Trim();
        }
        return contact;
    }

    private sealed record Pending(InboundMessage Message, TaskCompletionSource<InboundResult> Done);

    private sealed record Stored(Pending Pending, InboundResult Result);

    /// <summary>The contacts and chats one group touches, found in a few queries and changed in memory until the group is saved.</summary>
    private sealed class Batch(InboxDb db, DateTimeOffset now)
    {
        private readonly Dictionary<(int, ChannelKind, string), Contact> _byIdentity = [];
        private readonly Dictionary<(int, string), Contact> _byPhone = [];
        private readonly Dictionary<(Contact, ChannelKind), Chat> _chats = [];
        private readonly Dictionary<int, (AutoReplies.AutoReplySettings Settings, Hours.BusinessClock Clock)> _autoReplies = [];

        /// <summary>Each chat touched, with its state before the group (null for a new chat), for the inbox counters.</summary>
        public Dictionary<Chat, InboxCounters.ChatState?> Before { get; } = new(ReferenceEqualityComparer.Instance);

        /// <summary>
        /// Finds, per business, the contacts the messages come from — by channel identity, failing that by phone — their chats,
        /// and whether the business has automatic replies on: a handful of queries for the whole group.
        /// </summary>
        public async Task LoadAsync(IReadOnlyList<InboundMessage> messages)
        {
            foreach (var business in messages.GroupBy(m => m.BusinessId))
            {
                var businessId = business.Key;
                foreach (var channel in business.GroupBy(m => m.Channel))
                {
                    var externalIds = channel.Select(m => m.ContactExternalId).Distinct().ToList();
                    foreach (var identity in await db.ContactIdentities
                        .Where(i => i.BusinessId == businessId && i.Channel == channel.Key && externalIds.Contains(i.ExternalId))
                        .Select(i => new { i.ExternalId, i.Contact }).ToListAsync())
                    {
                        _byIdentity[(businessId, channel.Key, identity.ExternalId)] = identity.Contact;
                    }
                }
                var phones = business.Where(m => !_byIdentity.ContainsKey((businessId, m.Channel, m.ContactExternalId)) && m.ContactPhone is not null)
                    .Select(m => m.ContactPhone!).Distinct().ToList();
                if (phones.Count > 0)
                {
                    foreach (var contact in await db.Contacts.Where(c => c.BusinessId == businessId && phones.Contains(c.Phone!)).OrderBy(c => c.Id).ToListAsync())
                    {
                        _byPhone.TryAdd((businessId, contact.Phone!), contact);
                    }
                }
                var settings = await db.Businesses.Where(b => b.Id == businessId).Select(b => new { b.AutoReplies, b.Hours, b.TimeZone }).SingleAsync();
                _autoReplies[businessId] = (settings.AutoReplies, new Hours.BusinessClock(settings.Hours.In(settings.TimeZone)));
            }
            var contacts = _byIdentity.Values.Concat(_byPhone.Values).DistinctBy(c => c.Id).ToDictionary(c => c.Id);
            var contactIds = contacts.Keys.ToList();
            if (contactIds.Count > 0)
            {
                foreach (var chat in await db.Chats.Where(c => contactIds.Contains(c.ContactId)).ToListAsync())
                {
                    _chats[(contacts[chat.ContactId], chat.Channel)] = chat;
                }
            }
        }

        /// <returns>
        /// The message and its chat; whether this is the contact's first message, whether it started an episode (reopening a
        /// resolved chat) or not (null), and whether an automatic reply may be due for it.
        /// </returns>
        public (Message, Chat, bool NewContact, bool? EpisodeReopened, bool AutoReplyDue) Add(InboundMessage inbound)
        {
            var contact = ContactOf(inbound);
            if (!_chats.TryGetValue((contact, inbound.Channel), out var chat))
            {
                chat = new Chat { BusinessId = inbound.BusinessId, Contact = contact, Channel = inbound.Channel, Status = ChatStatus.Open, CreatedAt = now };
                db.Chats.Add(chat);
                _chats[(contact, inbound.Channel)] = chat;
            }
            if (!Before.ContainsKey(chat))
            {
                Before[chat] = chat.Id == 0 ? null : InboxCounters.ChatState.Of(chat);
            }

            // A blocked contact's messages are kept but change nothing that would ask for attention.
            var blocked = contact.IsBlocked;
            var autoReplyDue = AutoReplyDue(inbound.BusinessId, inbound.Body, contact, chat);
            bool? episodeReopened = chat.EpisodeStartedAt is null ? chat.Status == ChatStatus.Resolved : null;
            var newContact = contact.FirstMessageAt is null;
            if (chat.Status == ChatStatus.Resolved && !blocked)
            {
                db.ChatEvents.Add(new ChatEvent
                {
                    BusinessId = chat.BusinessId, ChatId = chat.Id, Kind = ChatEventKind.StatusChanged,
                    From = nameof(ChatStatus.Resolved), To = nameof(ChatStatus.Open), At = now,
                });
                chat.Status = ChatStatus.Open;
            }
            chat.EpisodeStartedAt ??= now;

            var message = new Message
            {
                BusinessId = inbound.BusinessId,
                Chat = chat,
                Channel = inbound.Channel,
                Direction = MessageDirection.Inbound,
                Author = MessageAuthor.Customer,
                Kind = MessageKind.Text,
                Body = inbound.Body,
                Status = MessageStatus.Sent,
                ExternalId = inbound.ExternalMessageId,
                CustomerTimestamp = inbound.CustomerTimestamp,
                CreatedAt = now,
                FromBlockedContact = blocked,
                Attachment = inbound.Attachment,
            };
            db.Messages.Add(message);
            if (inbound.Media is { } media)
            {
                db.WhatsAppMediaFetches.Add(Channels.WhatsApp.WhatsAppMediaFetch.For(media, message, now));
            }
            if (!blocked)
            {
                chat.UnreadCount++;
            }
            chat.LastMessageAt = now;
            chat.LastCustomerMessageAt = now;
            chat.LastMessagePreview = MessageText.Preview(inbound.Attachment is { } file
                ? Attachments.AttachmentView.Preview(file.Kind, file.FileName, inbound.Body) : inbound.Body);
            contact.FirstMessageAt ??= now;
            contact.LastMessageAt = now;
            return (message, chat, newContact, episodeReopened, autoReplyDue);
        }

        /// <summary>
        /// Whether the business's automatic replies could answer this message, decided by the same rules with the facts as they
        /// are now (before the message changes them). The worker decides again when the job runs; what can change until then
        /// — a staff reply, an away message sent for an earlier message — only ever removes replies, except a chat's labels,
        /// so the label condition is left to the worker. A message that earns nothing gets no job, which is most of them.
        /// </summary>
        private bool AutoReplyDue(int businessId, string body, Contact contact, Chat chat)
        {
            var (settings, clock) = _autoReplies[businessId];
            if (!settings.AnyEnabled || contact.IsBlocked)
            {
                return false;
            }
            if (settings.Recipients is AutoReplies.Recipients.ExceptLabels or AutoReplies.Recipients.OnlyLabels)
            {
                settings = settings with { Recipients = AutoReplies.Recipients.Everyone };
            }
            var facts = new AutoReplies.InboundFacts(now, body, ContactBlocked: false, contact.LastMessageAt,
                chat.LastStaffReplyAt, chat.LastAwaySentAt, chat.LastAwayPeriod);
            return AutoReplies.AutoReplyRules.Decide(settings, clock, facts).Count > 0;
        }

        /// <summary>As <see cref="FindOrCreateContactAsync"/>, from what <see cref="LoadAsync"/> found and the contacts added since.</summary>
        private Contact ContactOf(InboundMessage inbound)
        {
            var identityKey = (inbound.BusinessId, inbound.Channel, inbound.ContactExternalId);
            if (!_byIdentity.TryGetValue(identityKey, out var contact))
            {
                if (inbound.ContactPhone is null || !_byPhone.TryGetValue((inbound.BusinessId, inbound.ContactPhone), out contact))
                {
                    contact = new Contact { BusinessId = inbound.BusinessId, Phone = inbound.ContactPhone, CreatedAt = now };
                    db.Contacts.Add(contact);
                    if (contact.Phone is { } phone)
                    {
                        _byPhone[(inbound.BusinessId, phone)] = contact;
                    }
                }
                db.ContactIdentities.Add(new ContactIdentity
                {
                    BusinessId = inbound.BusinessId, Contact = contact, Channel = inbound.Channel, ExternalId = inbound.ContactExternalId,
                });
                _byIdentity[identityKey] = contact;
            }
            if (string.IsNullOrWhiteSpace(contact.Name) && !string.IsNullOrWhiteSpace(inbound.ContactName))
            {
                contact.Name = inbound.ContactName.Trim();
            }
            return contact;
        }
    }
}
