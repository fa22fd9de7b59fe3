using BusinessInbox.Data;

namespace BusinessInbox.Inbox;

/// <summary>A customer's message as a channel hands it over.</summary>
public sealed record InboundMessage(
    int BusinessId,
    ChannelKind Channel,
    string ContactExternalId,
    string? ContactName,
    string? ContactPhone,
    string ExternalMessageId,
    string Body,
    DateTimeOffset? CustomerTimestamp = null,
    // A file already in the attachment store; the body is then its caption and may be empty.
    Attachments.Attachment? Attachment = null,
    // A WhatsApp file still to be fetched: its fetch row is written with the message, the download comes later.
    Channels.WhatsApp.WaMedia? Media = null);

public sealed record InboundResult(long MessageId, int ChatId, bool Duplicate);

/// <summary>
/// Stores what customers write: finds or creates the contact and their chat, stores the message once
/// (duplicates are refused by a unique index), keeps the chat and the inbox counters current, then
/// notifies the staff. The writing is grouped with other messages arriving at the same time (<see cref="InboundWriter"/>);
/// the answer comes after the group's commit.
/// </summary>
public sealed class InboundMessages(InboundWriter writer)
{
    public Task<InboundResult> ReceiveAsync(InboundMessage inbound, CancellationToken ct) => writer.ReceiveAsync(inbound, refuseWhenBusy: false, ct);

    /// <summary>As <see cref="ReceiveAsync"/>, but refused with <see cref="InboxBusyException"/> at once when the writer's queue is full.</summary>
    public Task<InboundResult> ReceiveOrRefuseAsync(InboundMessage inbound, CancellationToken ct) => writer.ReceiveAsync(inbound, refuseWhenBusy: true, ct);
}
