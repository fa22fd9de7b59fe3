using System.Threading.Channels;
using BusinessInbox.Data;
using BusinessInbox.Workers;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

/// <summary>
/// Group commit of what the channels bring in, customers' messages and WhatsApp's status webhooks, and of what the
/// outbox's sends come back with: everything that arrives while the previous group is being written joins the next
/// group, which is stored in one transaction behind the <see cref="WriteGate"/>. Each caller is answered only after its
/// group's commit, so "acknowledged" still means "durably stored"; the staff and customer pushes follow from a second
/// loop without holding up the acknowledgements. See docs/decisions/0015-group-commit-of-inbound-messages.md,
/// 0024-statuses-in-the-inbound-group.md and 0026-sends-recorded-in-the-inbound-group.md.
/// </summary>
public sealed class InboundWriter(
    IServiceScopeFactory scopes, WriteGate gate, TimeProvider clock, InboxNotifier notifier, OutboxSignal outbox,
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
    /// <summary>The writer's own connection and prepared statements; used by the write loop alone.</summary>
    private InboundSql? _sql;

    private readonly Channel<Notice> _pushes = Channel.CreateUnbounded<Notice>(new UnboundedChannelOptions { SingleReader = true });

    /// <param name="refuseWhenBusy">Throw <see cref="InboxBusyException"/> when the queue is full (a webhook, whose sender retries) instead of waiting for room.</param>
    public async Task<InboundResult> ReceiveAsync(InboundMessage inbound, bool refuseWhenBusy, CancellationToken ct)
    {
        var pending = new PendingMessage(inbound);
        await EnqueueAsync(pending, refuseWhenBusy, ct);
        // A caller that gives up still has its message stored: a later redelivery is then a duplicate.
        return await pending.Done.Task.WaitAsync(ct);
    }

    /// <summary>Applies a WhatsApp status webhook to our message; refused with <see cref="InboxBusyException"/> when the queue is full.</summary>
    public async Task ApplyStatusAsync(int businessId, Channels.WhatsApp.StatusUpdate update, CancellationToken ct)
    {
        var pending = new PendingStatusUpdate(businessId, update);
        await EnqueueAsync(pending, refuseWhenBusy: true, ct);
        await pending.Done.Task.WaitAsync(ct);
    }

    /// <summary>
    /// Records that a channel took our message, under <paramref name="externalId"/> if it gave one: "sent", the statuses that
    /// overtook the send's answer, and its outbox row removed, in one group. Completes once that is stored. A message the
    /// shop sent from its phone (an echo) comes here too, for the statuses that arrived before it.
    /// </summary>
    public async Task SentAsync(long messageId, string? externalId, CancellationToken ct)
    {
        var pending = new PendingSent(messageId, externalId);
        await EnqueueAsync(pending, refuseWhenBusy: false, ct);
        await pending.Done.Task.WaitAsync(ct);
    }

    private async ValueTask EnqueueAsync(Pending pending, bool refuseWhenBusy, CancellationToken ct)
    {
        if (!_queue.Writer.TryWrite(pending))
        {
            if (refuseWhenBusy)
            {
                throw new InboxBusyException();
            }
            await _queue.Writer.WriteAsync(pending, ct);
        }
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
                left.Cancel(stoppingToken);
            }
            _pushes.Writer.TryComplete();
            await pushing;
            _sql?.Dispose();
        }
    }

    private async Task WriteAsync(List<Pending> group)
    {
        List<Stored> stored;
        Notice notice;
        try
        {
            (stored, notice) = await StoreAsync(group);
        }
        catch (Exception ex) when (group.Count > 1)
        {
            // One message or status that cannot be stored must not fail the others: write them one by one.
            logger.LogWarning(ex, "A group of {Count} inbound messages and statuses failed; storing them one at a time", group.Count);
            foreach (var pending in group)
            {
                await WriteAsync([pending]);
            }
            return;
        }
        catch (Exception ex)
        {
            // Another process may have stored the same delivery between our check and our insert.
            if (ex is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_CONSTRAINT }
                && group[0] is PendingMessage message && await StoredEarlierAsync(message.Message) is { } earlier)
            {
                message.Done.TrySetResult(earlier);
            }
            else
            {
                group[0].Fail(ex);
            }
            return;
        }
        foreach (var s in stored)
        {
            s.Pending.Done.TrySetResult(s.Result);
        }
        foreach (var pending in group)
        {
            (pending as PendingWrite)?.Done.TrySetResult();
        }
        if (!notice.IsEmpty)
        {
            _pushes.Writer.TryWrite(notice);
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

    /// <summary>Stores a group in one transaction behind the <see cref="WriteGate"/>; each message is answered with its row, or with the row of an earlier delivery of it.</summary>
    private async Task<(List<Stored>, Notice)> StoreAsync(List<Pending> group)
    {
        using (await gate.EnterAsync(CancellationToken.None))
        {
            var sql = _sql ??= await OpenAsync();
            try
            {
                using var transaction = sql.Begin();
                var batch = new Batch(sql, clock.GetUtcNow());
                var stored = new List<Stored>(group.Count);
                var seen = new Dictionary<(ChannelKind, string), InboundResult>();
                foreach (var item in group)
                {
                    if (item is PendingStatusUpdate status)
                    {
                        batch.Apply(status.BusinessId, status.Update);
                        continue;
                    }
                    if (item is PendingSent sent)
                    {
                        batch.Sent(sent.MessageId, sent.ExternalId);
                        continue;
                    }
                    var pending = (PendingMessage)item;
                    var inbound = pending.Message;
                    var key = (inbound.Channel, inbound.ExternalMessageId);
                    if (!seen.TryGetValue(key, out var earlier))
                    {
                        earlier = sql.Stored(inbound.Channel, inbound.ExternalMessageId);
                    }
                    var result = earlier ?? batch.Add(inbound);
                    seen[key] = result with { Duplicate = true };
                    stored.Add(new Stored(pending, result));
                }
                batch.Finish();
                var notice = batch.Notice();
                transaction.Commit();
                return (stored, notice);
            }
            catch
            {
                // The next group starts on a fresh connection, whatever state this one was left in.
                sql.Dispose();
                _sql = null;
                throw;
            }
        }
    }

    private async Task<InboundSql> OpenAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        return InboundSql.Open(scope.ServiceProvider.GetRequiredService<InboxDb>().ConnectionString());
    }

    /// <summary>Tells the staff and the customers about committed groups, from what was read before each commit.</summary>
    private async Task PushLoopAsync()
    {
        await foreach (var notice in _pushes.Reader.ReadAllAsync())
        {
            foreach (var (businessId, added) in notice.Added)
            {
                await notifier.MessagesAddedAsync(businessId, added);
                // The customer sees an automatic reply once the channel took it, as any message of the shop's.
                foreach (var (chat, message) in added.Where(a => a.Message.Direction == MessageDirection.Inbound))
                {
                    await notifier.CustomerMessageAsync(chat.Id, CustomerViews.Of(message));
                }
            }
            foreach (var (businessId, counters, mineChangedFor) in notice.Counters)
            {
                await notifier.CountersChangedAsync(businessId, counters, mineChangedFor);
            }
            foreach (var message in notice.Ticks)
            {
                await Channels.WhatsApp.WhatsAppStatuses.NotifyAsync(notifier, message);
            }
            // The customer sees a message of the shop's once its channel took it.
            foreach (var (chatId, message) in notice.Sent)
            {
                await notifier.CustomerMessageAsync(chatId, message);
            }
            if (notice.AnyAutomaticReply)
            {
                outbox.Wake();
            }
            // After MessagesAdded: a file fetched (or refused) at once must not be announced before its message.
            if (notice.AnyMedia)
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

    /// <summary>Something waiting for a group: a customer's message or a status webhook, with its caller's answer.</summary>
    private abstract class Pending
    {
        public abstract void Fail(Exception exception);

        public abstract void Cancel(CancellationToken ct);
    }

    private sealed class PendingMessage(InboundMessage message) : Pending
    {
        public InboundMessage Message { get; } = message;

        public TaskCompletionSource<InboundResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception exception) => Done.TrySetException(exception);

        public override void Cancel(CancellationToken ct) => Done.TrySetCanceled(ct);
    }

    /// <summary>A change to messages already stored, answered with nothing but its commit.</summary>
    private abstract class PendingWrite : Pending
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception exception) => Done.TrySetException(exception);

        public override void Cancel(CancellationToken ct) => Done.TrySetCanceled(ct);
    }

    private sealed class PendingStatusUpdate(int businessId, Channels.WhatsApp.StatusUpdate update) : PendingWrite
    {
        public int BusinessId { get; } = businessId;

        public Channels.WhatsApp.StatusUpdate Update { get; } = update;
    }

    private sealed class PendingSent(long messageId, string? externalId) : PendingWrite
    {
        public long MessageId { get; } = messageId;

        public string? ExternalId { get; } = externalId;
    }

    private sealed record Stored(PendingMessage Pending, InboundResult Result);

    /// <summary>
    /// What the staff and customers are told about a committed group: its new messages (automatic replies too) with their chats,
    /// by business, the counts it changed, our messages whose ticks moved, and our messages that their channel took.
    /// </summary>
    private sealed record Notice(
        IReadOnlyList<(int BusinessId, IReadOnlyList<AddedMessage> Added)> Added,
        IReadOnlyList<(int BusinessId, Dictionary<string, int> Counters, IReadOnlyList<string> MineChangedFor)> Counters,
        IReadOnlyList<Message> Ticks,
        IReadOnlyList<(int ChatId, CustomerMessageView Message)> Sent,
        bool AnyAutomaticReply,
        bool AnyMedia)
    {
        public bool IsEmpty => Added.Count == 0 && Ticks.Count == 0 && Sent.Count == 0;
    }

    /// <summary>
    /// The contacts, chats and businesses one group touches, each read once and changed in memory; the messages are inserted
    /// as they come, and what they change on their chats, contacts, inbox counters and statistics is written once at the end.
    /// </summary>
    private sealed class Batch(InboundSql sql, DateTimeOffset now)
    {
        private readonly Dictionary<int, Contact> _contacts = [];
        private readonly Dictionary<(int, ChannelKind, string), Contact> _byIdentity = [];
        private readonly Dictionary<(int, string), Contact?> _byPhone = [];
        private readonly Dictionary<(int, ChannelKind), Chat> _chats = [];

        private readonly Dictionary<int, BusinessFacts> _businesses = [];
        private readonly Dictionary<(int BusinessId, DateOnly Date, int Hour), Stats.StatsCounts> _hours = [];

        /// <summary>Each chat touched, with its state before the group (null for a new chat), for the inbox counters.</summary>
        private readonly Dictionary<Chat, InboxCounters.ChatState?> _before = new(ReferenceEqualityComparer.Instance);

        private readonly List<(Message Message, bool Media)> _messages = [];
        private bool _anyAutomaticReply;

        /// <summary>Our messages that status webhooks and sends changed, by id and by business and wamid; each is written once by <see cref="Finish"/>.</summary>
        private readonly Dictionary<long, Message> _ours = [];
        private readonly Dictionary<(int BusinessId, string ExternalId), Message> _oursByWamid = [];
        private readonly Dictionary<long, Message> _ticked = [];
        private readonly List<Message> _sent = [];
        private readonly Dictionary<(int BusinessId, DateOnly Date, string Category), int> _billed = [];
        private bool _stalePendingRemoved;

        /// <summary>The counts the group changed, by business and tab; written by <see cref="Finish"/>.</summary>
        private Dictionary<(int BusinessId, string Key), int> _counted = [];

        public InboundResult Add(InboundMessage inbound)
        {
            var business = BusinessOf(inbound.BusinessId);
            var contact = ContactOf(inbound);
            var chat = ChatOf(contact, inbound.Channel);

            // A blocked contact's messages are kept but change nothing that would ask for attention.
            var blocked = contact.IsBlocked;
            var previousMessageAt = contact.LastMessageAt;
            bool? episodeReopened = chat.EpisodeStartedAt is null ? chat.Status == ChatStatus.Resolved : null;
            var newContact = contact.FirstMessageAt is null;
            if (chat.Status == ChatStatus.Resolved && !blocked)
            {
                sql.Insert(new ChatEvent
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
            sql.Insert(message);
            if (inbound.Media is { } media)
            {
                sql.Insert(Channels.WhatsApp.WhatsAppMediaFetch.For(media, message, now));
            }
            if (episodeReopened is { } reopened)
            {
                sql.Insert(new Stats.EpisodeStat { BusinessId = chat.BusinessId, ChatId = chat.Id, StartedAt = now, Reopened = reopened });
            }
            Count(inbound.BusinessId, now, new Stats.StatsCounts(Received: 1, NewContacts: newContact ? 1 : 0));

            if (!blocked)
            {
                chat.UnreadCount++;
            }
            chat.LastMessageAt = now;
            chat.LastCustomerMessageAt = now;
            chat.LastMessageId = message.Id;
            chat.LastMessagePreview = MessageText.Preview(inbound.Attachment is { } file
                ? Attachments.AttachmentView.Preview(file.Kind, file.FileName, inbound.Body) : inbound.Body);
            contact.FirstMessageAt ??= now;
            contact.LastMessageAt = now;
            _messages.Add((message, inbound.Media is not null));
            if (!blocked)
            {
                AutomaticReplies(business, contact, chat, inbound.Body, previousMessageAt);
            }
            return new InboundResult(message.Id, chat.Id, Duplicate: false);
        }

        /// <summary>
        /// Applies a status webhook to our message (<see cref="Channels.WhatsApp.WhatsAppStatuses.Apply"/>); one for a message
        /// not known yet is kept until our send returns its wamid.
        /// </summary>
        public void Apply(int businessId, Channels.WhatsApp.StatusUpdate update)
        {
            var message = OurMessage(businessId, update);
            if (message is null)
            {
                if (!_stalePendingRemoved)
                {
                    // Statuses for messages sent from the shop's own phone never find a match: keep them a week at most.
                    sql.RemovePendingStatusesBefore(now - Channels.WhatsApp.WhatsAppStatuses.PendingKeptFor);
                    _stalePendingRemoved = true;
                }
                sql.Insert(new Channels.WhatsApp.PendingStatus
                {
                    BusinessId = businessId, ExternalId = update.ExternalId, Status = update.Status, FailureReason = update.FailureReason,
                    PricingCategory = update.PricingCategory, Billable = update.Billable, ReceivedAt = now,
                });
                return;
            }
            ApplyTo(message, update);
        }

        /// <summary>
        /// Our message was taken by its channel (see <see cref="SentAsync"/>): it is sent, unless a status moved it further
        /// already, and leaves the outbox; statuses kept for its wamid are applied now.
        /// </summary>
        public void Sent(long messageId, string? externalId)
        {
            sql.RemoveFromOutbox(messageId);
            var message = _ours.GetValueOrDefault(messageId) ?? Ours(sql.OutboundMessage(messageId));
            if (message is null)
            {
                // Erased with its chat while it was being sent.
                return;
            }
            if (externalId is not null && message.ExternalId is null)
            {
                message.ExternalId = externalId;
                Identify(message);
            }
            if (Channels.WhatsApp.WhatsAppStatuses.Advances(message.Status, MessageStatus.Sent))
            {
                (message.Status, message.StatusChangedAt) = (MessageStatus.Sent, now);
                _ticked[message.Id] = message;
            }
            if (externalId is not null)
            {
                foreach (var kept in sql.KeptStatuses(message.BusinessId, externalId))
                {
                    ApplyTo(message, kept);
                }
                sql.RemoveKeptStatuses(message.BusinessId, externalId);
            }
            _sent.Add(message);
        }

        private void ApplyTo(Message message, Channels.WhatsApp.StatusUpdate update)
        {
            var identified = message.ExternalId is null;
            var effect = Channels.WhatsApp.WhatsAppStatuses.Apply(message, update, now);
            if (identified)
            {
                Identify(message);
            }
            Count(message.BusinessId, message.CreatedAt, effect.Counts);
            if (effect.BilledAs is { } category)
            {
                var date = Stats.StatsRecorder.LocalHour(BusinessOf(message.BusinessId).Clock.Zone, message.CreatedAt).Date;
                var key = (message.BusinessId, date, Stats.StatsRecorder.PricingCategory(category));
                _billed[key] = _billed.GetValueOrDefault(key) + 1;
            }
            if (effect.LeavesOutbox)
            {
                sql.RemoveFromOutbox(message.Id);
            }
            if (effect.Moved)
            {
                _ticked[message.Id] = message;
            }
        }

        /// <summary>Our message a status is for: by its wamid, or by the callback data we sent while the wamid is not known yet.</summary>
        private Message? OurMessage(int businessId, Channels.WhatsApp.StatusUpdate update)
        {
            if (_oursByWamid.TryGetValue((businessId, update.ExternalId), out var known))
            {
                return known;
            }
            return Ours(sql.OurMessage(businessId, update.ExternalId)
                ?? (Channels.WhatsApp.WhatsAppStatuses.CallbackMessageId(update) is { } id ? sql.OurUnsentMessage(businessId, id) : null));
        }

        /// <summary>The object already standing for our message in the group, if it was read before by another route.</summary>
        private Message? Ours(Message? read)
        {
            if (read is null)
            {
                return null;
            }
            if (!_ours.TryGetValue(read.Id, out var known))
            {
                _ours[read.Id] = known = read;
                if (known.ExternalId is { } wamid)
                {
                    _oursByWamid[(known.BusinessId, wamid)] = known;
                }
            }
            return known;
        }

        /// <summary>Writes the wamid our message just got, at once: a later statement of the group may look the message up by it.</summary>
        private void Identify(Message message)
        {
            sql.Identify(message);
            _oursByWamid[(message.BusinessId, message.ExternalId!)] = message;
        }

        /// <summary>Writes what the group changed on its chats, contacts and our messages, and adds it to the inbox counters and the statistics.</summary>
        public void Finish()
        {
            foreach (var message in _ours.Values)
            {
                sql.UpdateStatus(message);
            }
            foreach (var chat in _before.Keys)
            {
                sql.Update(chat);
            }
            foreach (var contact in _contacts.Values)
            {
                sql.Update(contact);
            }
            _counted = InboxCounters.Deltas(_before.Select(c => (c.Key.BusinessId, c.Value, (InboxCounters.ChatState?)InboxCounters.ChatState.Of(c.Key))));
            foreach (var ((businessId, key), delta) in _counted)
            {
                sql.AddToCounter(businessId, key, delta);
            }
            foreach (var ((businessId, date, hour), counts) in _hours)
            {
                if (!counts.IsZero)
                {
                    sql.AddToHour(businessId, date, hour, counts);
                }
            }
            foreach (var ((businessId, date, category), messages) in _billed)
            {
                sql.AddBilled(businessId, date, category, messages);
            }
        }

        /// <summary>What the staff are to be told, read after <see cref="Finish"/> and before the commit: the state the commit makes.</summary>
        public Notice Notice()
        {
            var chats = _before.Keys.ToDictionary(c => c, sql.Summary);
            var added = _messages
                .GroupBy(m => m.Message.BusinessId, m => new AddedMessage(chats[m.Message.Chat], ViewOf(m.Message)))
                .Select(business => (business.Key, (IReadOnlyList<AddedMessage>)[.. business])).ToList();
            // Most messages land in a chat that is already open and unread: its business's counts stay as they were.
            var counters = _counted.Keys.GroupBy(k => k.BusinessId, k => k.Key)
                .Select(changed => (changed.Key, sql.Counters(changed.Key), InboxCounters.MineOf(changed))).ToList();
            var sent = _sent.Select(m => (m.ChatId, sql.CustomerView(m.Id)!)).ToList();
            return new Notice(added, counters, [.. _ticked.Values], sent, _anyAutomaticReply, _messages.Any(m => m.Media));
        }

        /// <summary>A customer's message as <see cref="InboxQueries"/> shows it in a thread.</summary>
        private static MessageView ViewOf(Message m) => new(
            m.Id, m.ChatId, m.Direction, m.Author, m.Kind, AuthorName: null, m.Body, m.Status, m.FailureReason, m.CreatedAt,
            m.Attachment is { } file
                ? new Attachments.AttachmentView(file.Id, file.Kind, file.ContentType, file.FileName, file.Size, file.Width, file.Height, file.ThumbnailKey != null)
                : null);

        private BusinessFacts BusinessOf(int businessId)
        {
            if (!_businesses.TryGetValue(businessId, out var business))
            {
                _businesses[businessId] = business = sql.Business(businessId);
            }
            return business;
        }

        /// <summary>
        /// Writes the automatic replies the message earns, decided by the business's rules on the facts as they are when it is
        /// stored, in the same transaction: the reply and the message it answers are stored together or not at all, and a later
        /// message of the group sees what an earlier one's reply changed. The outbox sends them.
        /// </summary>
        private void AutomaticReplies(BusinessFacts business, Contact contact, Chat chat, string body, DateTimeOffset? previousMessageAt)
        {
            var settings = business.AutoReplies;
            if (!settings.AnyEnabled)
            {
                return;
            }
            var labels = settings.Recipients is AutoReplies.Recipients.ExceptLabels or AutoReplies.Recipients.OnlyLabels ? sql.LabelIds(chat.Id) : [];
            var facts = new AutoReplies.InboundFacts(now, body, ContactBlocked: false, previousMessageAt,
                chat.LastStaffReplyAt, chat.LastAwaySentAt, chat.LastAwayPeriod, labels);
            var replies = AutoReplies.AutoReplyRules.Decide(settings, business.Clock, facts);
            if (replies.Count == 0)
            {
                return;
            }
            var values = AutoReplies.Placeholders.ValuesFor(business.Name, business.Hours, business.Clock, contact.Name, now);
            foreach (var reply in replies)
            {
                var text = AutoReplies.AutoReplyRules.Text(reply, values);
                if (text.Length == 0)
                {
                    continue;
                }
                var automatic = new Message
                {
                    BusinessId = chat.BusinessId, Chat = chat, Channel = chat.Channel, Direction = MessageDirection.Outbound,
                    Author = MessageAuthor.Automatic, Kind = MessageKind.Text, Body = text, Status = MessageStatus.Queued, CreatedAt = now,
                };
                sql.Insert(automatic);
                sql.Insert(new OutboxItem { BusinessId = chat.BusinessId, Message = automatic, NextAttemptAt = now, CreatedAt = now });
                if (reply.Kind == AutoReplies.AutoReplyKind.Away)
                {
                    chat.LastAwaySentAt = now;
                    chat.LastAwayPeriod = reply.AwayPeriod;
                }
                chat.LastMessageAt = now;
                chat.LastMessageId = automatic.Id;
                chat.LastMessagePreview = MessageText.Preview(text);
                Count(chat.BusinessId, now, new Stats.StatsCounts(SentAutomatic: 1));
                _messages.Add((automatic, false));
                _anyAutomaticReply = true;
            }
        }

        /// <summary>Adds to the statistics of the business's local hour at <paramref name="at"/>.</summary>
        private void Count(int businessId, DateTimeOffset at, Stats.StatsCounts counts)
        {
            if (counts.IsZero)
            {
                return;
            }
            var (date, hour) = Stats.StatsRecorder.LocalHour(BusinessOf(businessId).Clock.Zone, at);
            _hours[(businessId, date, hour)] = _hours.GetValueOrDefault((businessId, date, hour)) + counts;
        }

        /// <summary>
        /// As <see cref="FindOrCreateContactAsync"/>: the contact of the channel identity, failing that of the phone number, failing
        /// that a new one; each contact is one object however it was found, so that its changes add up.
        /// </summary>
        private Contact ContactOf(InboundMessage inbound)
        {
            var identityKey = (inbound.BusinessId, inbound.Channel, inbound.ContactExternalId);
            if (!_byIdentity.TryGetValue(identityKey, out var contact))
            {
                contact = Known(sql.ContactByIdentity(inbound.BusinessId, inbound.Channel, inbound.ContactExternalId));
                if (contact is null)
                {
                    contact = inbound.ContactPhone is { } phone ? ByPhone(inbound.BusinessId, phone) : null;
                    if (contact is null)
                    {
                        contact = new Contact { BusinessId = inbound.BusinessId, Phone = inbound.ContactPhone, Name = NameOf(inbound), CreatedAt = now };
                        sql.Insert(contact);
                        _contacts[contact.Id] = contact;
                        if (contact.Phone is { } newPhone)
                        {
                            _byPhone[(inbound.BusinessId, newPhone)] = contact;
                        }
                    }
                    sql.Insert(new ContactIdentity
                    {
                        BusinessId = inbound.BusinessId, Contact = contact, Channel = inbound.Channel, ExternalId = inbound.ContactExternalId,
                    });
                }
                _byIdentity[identityKey] = contact;
            }
            if (string.IsNullOrWhiteSpace(contact.Name) && NameOf(inbound) is { } name)
            {
                contact.Name = name;
                sql.Rename(contact);
            }
            return contact;
        }

        private static string? NameOf(InboundMessage inbound) => string.IsNullOrWhiteSpace(inbound.ContactName) ? null : inbound.ContactName.Trim();

        private Contact? ByPhone(int businessId, string phone)
        {
            if (!_byPhone.TryGetValue((businessId, phone), out var contact))
            {
                _byPhone[(businessId, phone)] = contact = Known(sql.ContactByPhone(businessId, phone));
            }
            return contact;
        }

        /// <summary>The object already standing for this contact in the group, if it was read before by another route.</summary>
        private Contact? Known(Contact? read)
        {
            if (read is null)
            {
                return null;
            }
            if (!_contacts.TryGetValue(read.Id, out var known))
            {
                _contacts[read.Id] = known = read;
            }
            return known;
        }

        /// <summary>The contact's chat on the channel, a new open one if none; its state before the group is kept for the counters.</summary>
        private Chat ChatOf(Contact contact, ChannelKind channel)
        {
            if (_chats.TryGetValue((contact.Id, channel), out var chat))
            {
                return chat;
            }
            chat = sql.Chat(contact, channel);
            if (chat is null)
            {
                chat = new Chat { BusinessId = contact.BusinessId, Contact = contact, ContactId = contact.Id, Channel = channel, Status = ChatStatus.Open, CreatedAt = now, LastMessageAt = now };
                sql.Insert(chat);
                _before[chat] = null;
            }
            else
            {
                _before[chat] = InboxCounters.ChatState.Of(chat);
            }
            _chats[(contact.Id, channel)] = chat;
            return chat;
        }
    }
}
