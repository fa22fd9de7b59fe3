using System.Threading.RateLimiting;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Channels.WebChat;

/// <summary>
/// The customer's live connection (<c>/hubs/chat?slug=…</c>), separate from the staff hub. Anonymous:
/// the visitor cookie says whose thread it is, and the slug which business. Sending is rate limited.
/// </summary>
public sealed class CustomerChatHub(InboxDb db, VisitorCookie visitors, InboundMessages inbound, OutboundStatus outbound, CustomerRateLimiter limiter)
    : Hub<ICustomerClient>
{
    private const string BusinessKey = "business";
    private const string VisitorKey = "visitor";
    private const int HistorySize = 100;

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext()!;
        var visitor = visitors.Read(http) ?? throw new HubException("Open the chat page again to start a conversation.");
        var slug = http.Request.Query["slug"].ToString();
        var businessId = await db.Businesses.Where(b => b.Slug == slug).Select(b => (int?)b.Id).SingleOrDefaultAsync(Context.ConnectionAborted)
            ?? throw new HubException("This chat does not exist.");
        Context.Items[BusinessKey] = businessId;
        Context.Items[VisitorKey] = visitor;
        if (await ChatIdAsync() is { } chatId)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, InboxNotifier.CustomerGroup(chatId));
        }
        await base.OnConnectedAsync();
    }

    private int BusinessId => (int)Context.Items[BusinessKey]!;
    private string Visitor => (string)Context.Items[VisitorKey]!;

    private Task<int?> ChatIdAsync() =>
        db.Chats.Where(c => c.BusinessId == BusinessId && c.Channel == ChannelKind.WebChat
                && db.ContactIdentities.Any(i => i.ContactId == c.ContactId && i.BusinessId == BusinessId
                    && i.Channel == ChannelKind.WebChat && i.ExternalId == Visitor))
            .Select(c => (int?)c.Id).SingleOrDefaultAsync(Context.ConnectionAborted);

    /// <summary>The visitor's thread, latest messages last; private notes never leave the shop.</summary>
    public async Task<List<CustomerMessageView>> History()
    {
        if (await ChatIdAsync() is not { } chatId)
        {
            return [];
        }
        // A chat started by an upload (a plain HTTP request) has no connection listening to it yet.
        await Groups.AddToGroupAsync(Context.ConnectionId, InboxNotifier.CustomerGroup(chatId));
        var rows = await db.Messages.AsNoTracking()
            .Where(m => m.ChatId == chatId && m.Kind == MessageKind.Text && m.Status != MessageStatus.Queued && m.Status != MessageStatus.Failed)
            .OrderByDescending(m => m.Id).Take(HistorySize)
            .Select(m => new CustomerMessageView(m.Id, m.Direction == MessageDirection.Inbound, m.Author == MessageAuthor.Automatic, m.Body, m.Status, m.CreatedAt,
                m.Attachment == null ? null : new Attachments.AttachmentView(m.Attachment.Id, m.Attachment.Kind, m.Attachment.ContentType,
                    m.Attachment.FileName, m.Attachment.Size, m.Attachment.Width, m.Attachment.Height, m.Attachment.ThumbnailKey != null)))
            .ToListAsync(Context.ConnectionAborted);
        rows.Reverse();
        return rows;
    }

    /// <summary>
    /// Stores the customer's message once: <paramref name="clientId"/> is made by the page, so a message
    /// re-sent after a dropped connection is recognised and not stored twice.
    /// </summary>
    public async Task<CustomerMessageView> Send(string clientId, string text, string? name)
    {
        if (string.IsNullOrEmpty(clientId) || clientId.Length > 64 || !clientId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new HubException("The message could not be sent. Reload the page and try again.");
        }
        var (body, error) = MessageText.Check(text);
        if (error is not null)
        {
            throw new HubException(error);
        }
        using var lease = limiter.TryAcquire(Visitor);
        if (!lease.IsAcquired)
        {
            throw new HubException("You are sending messages too quickly. Please wait a moment and try again.");
        }
        var contactName = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        if (contactName is { Length: > 100 })
        {
            throw new HubException("Your name can have at most 100 characters.");
        }
        var result = await inbound.ReceiveAsync(
            new InboundMessage(BusinessId, ChannelKind.WebChat, Visitor, contactName, null, $"wc:{Visitor}:{clientId}", body!),
            Context.ConnectionAborted);
        await Groups.AddToGroupAsync(Context.ConnectionId, InboxNotifier.CustomerGroup(result.ChatId));
        var stored = await InboxQueries.MessageAsync(db, result.MessageId, Context.ConnectionAborted);
        return CustomerViews.Of(stored!);
    }

    /// <summary>The page received (<paramref name="read"/> false) or showed (true) the shop's messages up to an id.</summary>
    public async Task Seen(long upToMessageId, bool read)
    {
        if (await ChatIdAsync() is { } chatId)
        {
            await outbound.CustomerReachedAsync(chatId, upToMessageId, read ? MessageStatus.Read : MessageStatus.Delivered, Context.ConnectionAborted);
        }
    }
}

/// <summary>How many messages one visitor may send: a burst, then a steady trickle.</summary>
public sealed class CustomerRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(visitor =>
        RateLimitPartition.GetTokenBucketLimiter(visitor, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = 10,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(3),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public RateLimitLease TryAcquire(string visitor) => _limiter.AttemptAcquire(visitor);

    public void Dispose() => _limiter.Dispose();
}
