using BusinessInbox.Data;

namespace BusinessInbox.Inbox;

/// <summary>A row of the conversation list, as pages, the hub and the API show it. Blocked: the contact is blocked, so raise no notification.</summary>
public sealed record ChatSummary(
    int Id,
    int ContactId,
    string ContactName,
    string? ContactPhone,
    ChannelKind Channel,
    ChatStatus Status,
    string? AssigneeId,
    string? AssigneeName,
    int UnreadCount,
    DateTimeOffset LastMessageAt,
    string LastMessagePreview,
    IReadOnlyList<Labels.LabelView> Labels,
    bool Blocked,
    // WhatsApp's 24-hour window runs from here.
    DateTimeOffset? LastCustomerMessageAt = null);

/// <summary>A message in a thread.</summary>
public sealed record MessageView(
    long Id,
    int ChatId,
    MessageDirection Direction,
    MessageAuthor Author,
    MessageKind Kind,
    string? AuthorName,
    string Body,
    MessageStatus Status,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    Attachments.AttachmentView? Attachment = null,
    // An emoji reaction shown on the message (WhatsApp).
    string? Reaction = null);

/// <summary>A message new to the inbox, with its chat as the commit that stored it left it.</summary>
public sealed record AddedMessage(ChatSummary Chat, MessageView Message);

/// <summary>A status or assignment change shown between the bubbles.</summary>
public sealed record ChatEventView(long Id, int ChatId, ChatEventKind Kind, string? ActorName, string? From, string? To, DateTimeOffset At);

public sealed record ThreadView(ChatSummary Chat, IReadOnlyList<MessageView> Messages, IReadOnlyList<ChatEventView> Events, bool HasOlder);

public sealed record ChatPage(IReadOnlyList<ChatSummary> Chats, string? NextCursor);

/// <summary>What the customer's page shows of a message: no staff names beyond the business, no notes.</summary>
public sealed record CustomerMessageView(long Id, bool Mine, bool Automatic, string Body, MessageStatus Status, DateTimeOffset CreatedAt,
    Attachments.AttachmentView? Attachment = null);
