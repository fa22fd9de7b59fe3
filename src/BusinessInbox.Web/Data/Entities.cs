using BusinessInbox.AutoReplies;
using BusinessInbox.Hours;
using Microsoft.AspNetCore.Identity;

namespace BusinessInbox.Data;

public enum MemberRole
{
    Agent = 0,
    Admin = 1,
    Owner = 2,
}

public enum ChannelKind
{
    WebChat = 0,
    WhatsApp = 1,
}

public enum ChatStatus
{
    Open = 0,
    Pending = 1,
    Resolved = 2,
}

public enum MessageDirection
{
    Inbound = 0,
    Outbound = 1,
}

public enum MessageAuthor
{
    Customer = 0,
    Staff = 1,
    Automatic = 2,
}

public enum MessageKind
{
    Text = 0,
    /// <summary>A private note: staff only, never sent to the customer.</summary>
    Note = 1,
}

/// <summary>Ordered: a status only ever moves forward, except that Failed can be overtaken by proof of delivery.</summary>
public enum MessageStatus
{
    Queued = 0,
    Sent = 1,
    Delivered = 2,
    Read = 3,
    Failed = 9,
}

public enum ChatEventKind
{
    StatusChanged = 0,
    Assigned = 1,
    /// <summary>Another contact was merged into this chat's contact; From names the removed contact.</summary>
    ContactMerged = 2,
}

public class Business
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public required string TimeZone { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public BusinessCategory Category { get; set; }
    public string? Description { get; set; }
    public string? Address { get; set; }
    public string? Email { get; set; }
    public string? Website1 { get; set; }
    public string? Website2 { get; set; }
    /// <summary>Bumped on every profile save; two owners saving at once are told the profile changed meanwhile.</summary>
    public int ProfileVersion { get; set; }
    /// <summary>Changes when the logo changes, so browsers fetch the new one; null without a logo.</summary>
    public int? LogoVersion { get; set; }
    public HoursSchedule Hours { get; set; } = HoursSchedule.AlwaysOpen;
    public AutoReplySettings AutoReplies { get; set; } = AutoReplySettings.Off;
}

/// <summary>The business categories WhatsApp Business offers.</summary>
public enum BusinessCategory
{
    Other = 0,
    Retail,
    Restaurant,
    Grocery,
    Beauty,
    Apparel,
    Automotive,
    Education,
    Entertainment,
    Finance,
    Health,
    Hotel,
    NonProfit,
    ProfessionalServices,
    Travel,
    EventPlanning,
}

/// <summary>The business's logo, already resized and re-encoded (no camera or location metadata survives).</summary>
public class BusinessLogo
{
    public int BusinessId { get; set; }
    public required byte[] Png { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public bool NotifyWithSound { get; set; } = true;
    public bool NotifyInBrowser { get; set; } = true;
}

public class Membership
{
    public int BusinessId { get; set; }
    public Business Business { get; set; } = null!;
    public required string UserId { get; set; }
    public AppUser User { get; set; } = null!;
    public MemberRole Role { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
}

public class Contact
{
    public int Id { get; set; }
    public int BusinessId { get; set; }
    public string? Name { get; set; }
    /// <summary>E.164, when known.</summary>
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public string? Notes { get; set; }
    public bool IsBlocked { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FirstMessageAt { get; set; }
    public DateTimeOffset? LastMessageAt { get; set; }
    public List<ContactIdentity> Identities { get; set; } = [];
}

/// <summary>How one channel knows a contact: a web-chat visitor id, a WhatsApp wa_id or business-scoped user id.</summary>
public class ContactIdentity
{
    public int Id { get; set; }
    public int BusinessId { get; set; }
    public int ContactId { get; set; }
    public Contact Contact { get; set; } = null!;
    public ChannelKind Channel { get; set; }
    public required string ExternalId { get; set; }
}

/// <summary>One continuous chat per contact and channel, as in WhatsApp.</summary>
public class Chat
{
    public int Id { get; set; }
    public int BusinessId { get; set; }
    public int ContactId { get; set; }
    public Contact Contact { get; set; } = null!;
    public ChannelKind Channel { get; set; }
    public ChatStatus Status { get; set; }
    public string? AssigneeId { get; set; }
    public AppUser? Assignee { get; set; }
    public int UnreadCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastMessageAt { get; set; }
    public long? LastMessageId { get; set; }
    public string LastMessagePreview { get; set; } = "";
    public DateTimeOffset? LastCustomerMessageAt { get; set; }
    /// <summary>Start of the current episode: the first customer message after the chat was new or resolved.</summary>
    public DateTimeOffset? EpisodeStartedAt { get; set; }
    /// <summary>The last reply written by a person (not automatic): automatic replies hold back for a while after it.</summary>
    public DateTimeOffset? LastStaffReplyAt { get; set; }
    public DateTimeOffset? LastAwaySentAt { get; set; }
    /// <summary>The away period (see <see cref="AutoReplyRules"/>) the last away message was sent for.</summary>
    public string? LastAwayPeriod { get; set; }
    public List<ChatLabel> Labels { get; set; } = [];
}

public class Message
{
    public long Id { get; set; }
    public int BusinessId { get; set; }
    public int ChatId { get; set; }
    public Chat Chat { get; set; } = null!;
    public ChannelKind Channel { get; set; }
    public MessageDirection Direction { get; set; }
    public MessageAuthor Author { get; set; }
    public MessageKind Kind { get; set; }
    public string? AuthorUserId { get; set; }
    public AppUser? AuthorUser { get; set; }
    public required string Body { get; set; }
    public MessageStatus Status { get; set; }
    public string? FailureReason { get; set; }
    /// <summary>The channel's id for this message (client id on web chat, wamid on WhatsApp); unique per channel.</summary>
    public string? ExternalId { get; set; }
    /// <summary>When the customer's device says it was written; null for our own messages.</summary>
    public DateTimeOffset? CustomerTimestamp { get; set; }
    /// <summary>When it reached us (or was written by staff).</summary>
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StatusChangedAt { get; set; }
    /// <summary>Arrived while the contact was blocked: kept, but it raised no notification and no automatic reply.</summary>
    public bool FromBlockedContact { get; set; }
    /// <summary>WhatsApp's pricing category from status webhooks (service, utility, marketing, …), for cost statistics.</summary>
    public string? PricingCategory { get; set; }
    public bool? Billable { get; set; }
    /// <summary>A photo or document; the body is then its caption and may be empty.</summary>
    public Attachments.Attachment? Attachment { get; set; }
    /// <summary>The reaction (an emoji) the customer, or the shop from its own phone, put on this message; null when none or removed.</summary>
    public string? Reaction { get; set; }
    /// <summary>The shop's own number, for a message sent from its WhatsApp Business app (coexistence) rather than from the inbox.</summary>
    public string? SentFromPhone { get; set; }
}

/// <summary>Who changed a chat's status or assignee, when, and from what to what.</summary>
public class ChatEvent
{
    public long Id { get; set; }
    public int BusinessId { get; set; }
    public int ChatId { get; set; }
    public ChatEventKind Kind { get; set; }
    public string? ActorUserId { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>An outbound message waiting for its channel. Written in the same transaction as the message.</summary>
public class OutboxItem
{
    public long Id { get; set; }
    public int BusinessId { get; set; }
    public long MessageId { get; set; }
    public Message Message { get; set; } = null!;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The last send timed out, so the channel may have it: the row waits for the channel's confirmation until NextAttemptAt instead of sending again.</summary>
    public DateTimeOffset? TimedOutAt { get; set; }
    /// <summary>The channel's id for the message's file once uploaded (WhatsApp's media id), so a retry sends it without uploading again.</summary>
    public string? UploadedMediaId { get; set; }
}

/// <summary>Maintained count of chats in one inbox filter (status, unread, unassigned, per assignee).</summary>
public class InboxCounter
{
    public int BusinessId { get; set; }
    public required string Key { get; set; }
    public int Count { get; set; }
}

public class ApiToken
{
    public int Id { get; set; }
    public int BusinessId { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the token, hex; the token itself is shown once and never stored.</summary>
    public required string TokenHash { get; set; }
    public required string Prefix { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>A label staff put on chats to sort them (as in WhatsApp Business); names are unique per business in any letter case.</summary>
public class Label
{
    public int Id { get; set; }
    public int BusinessId { get; set; }
    public required string Name { get; set; }
    /// <summary>The name in upper case, for the unique index that ignores letter case.</summary>
    public required string NormalizedName { get; set; }
    /// <summary>An index into <see cref="Labels.LabelColors.Palette"/>.</summary>
    public int Color { get; set; }
}

public class ChatLabel
{
    public int ChatId { get; set; }
    public int LabelId { get; set; }
    public Label Label { get; set; } = null!;
}

/// <summary>A saved answer staff insert by typing <c>/shortcut</c> in the composer.</summary>
public class QuickReply
{
    public int Id { get; set; }
    public int BusinessId { get; set; }
    /// <summary>Without the slash: 1 to 25 of a-z, 0-9, _ and -; unique per business.</summary>
    public required string Shortcut { get; set; }
    public required string Text { get; set; }
}

public enum ContactImportStatus
{
    /// <summary>Uploaded and being mapped; not started.</summary>
    Draft = 0,
    Queued = 1,
    Running = 2,
    Done = 3,
    Failed = 4,
}

/// <summary>
/// A CSV import of contacts: the uploaded text while it is mapped and imported, then only its outcome.
/// The rows are written in one transaction, so an import either happened completely or not at all.
/// </summary>
public class ContactImport
{
    public long Id { get; set; }
    public int BusinessId { get; set; }
    public required string UserId { get; set; }
    public required string FileName { get; set; }
    /// <summary>The file as text; emptied when the import has run, so no second copy of the contacts stays behind.</summary>
    public string Content { get; set; } = "";
    /// <summary>Column index per field ("name", "phone", "email", "notes"), as JSON.</summary>
    public string? Mapping { get; set; }
    public ContactImportStatus Status { get; set; }
    public int Total { get; set; }
    public int Processed { get; set; }
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Skipped { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
