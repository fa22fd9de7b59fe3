using System.Globalization;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// Sends staff replies through the Cloud API. Each send carries our message id as callback data, which
/// status webhooks echo back, so a send whose answer was lost is recognised instead of sent twice.
/// Graph errors are classified by their code: limits and outages are retried, the rest fail with the reason.
/// A file is first uploaded to WhatsApp, then sent by its media id; the upload's errors are classified the same way.
/// </summary>
public sealed class WhatsAppSender(
    InboxDb db, GraphApiClient graph, WhatsAppSecrets secrets, WriteGate gate, TimeProvider clock,
    Attachments.IAttachmentStore store,
    Microsoft.Extensions.Options.IOptions<WhatsAppOptions> options, ILogger<WhatsAppSender> logger) : IChannelSender
{
    public ChannelKind Channel => ChannelKind.WhatsApp;

    // Every reply runs these two queries: compiled once, a send pays for the statements alone, not for translating them.
    private static readonly Func<InboxDb, int, CancellationToken, Task<WhatsAppChannel?>> ChannelOf = EF.CompileAsyncQuery(
        (InboxDb db, int businessId, CancellationToken ct) => db.WhatsAppChannels.AsNoTracking().SingleOrDefault(c => c.BusinessId == businessId));

    /// <summary>What the send needs of the message, in one statement: whom to, and whether it is a template or carries a file.</summary>
    private static readonly Func<InboxDb, long, int, CancellationToken, Task<MessageContent?>> ContentOf = EF.CompileAsyncQuery(
        (InboxDb db, long messageId, int businessId, CancellationToken ct) => db.Messages.AsNoTracking()
            .Where(m => m.Id == messageId && m.BusinessId == businessId)
            .Select(m => new MessageContent(
                m.Chat.Contact.Identities.Where(i => i.Channel == ChannelKind.WhatsApp).Select(i => i.ExternalId).FirstOrDefault(),
                db.WhatsAppTemplateSends.FirstOrDefault(t => t.MessageId == m.Id),
                m.Attachment))
            .SingleOrDefault());

    private sealed record MessageContent(string? To, WhatsAppTemplateSend? Template, Attachments.Attachment? Attachment);

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        var channel = await ChannelOf(db, message.BusinessId, ct)
            ?? throw new ChannelSendException("WhatsApp is not connected for this business.", transient: false);
        if (channel.Status == WhatsAppChannelStatus.TokenFailed)
        {
            throw new ChannelSendException(WhatsAppErrors.TokenFailedReason, transient: false);
        }
        var content = await ContentOf(db, message.MessageId, message.BusinessId, ct);
        var to = content?.To ?? throw new ChannelSendException("This contact has no WhatsApp number.", transient: false);

        string wamid;
        var uploading = false;
        try
        {
            var token = secrets.Unprotect(channel.AccessTokenProtected);
            var callback = message.MessageId.ToString(CultureInfo.InvariantCulture);
            var (template, attachment) = (content.Template, content.Attachment);
            if (template is not null)
            {
                wamid = await graph.SendTemplateAsync(channel.PhoneNumberId, token, to, template.Name, template.Language, template.Parameters, callback, ct);
            }
            else if (attachment is not null)
            {
                var type = WhatsAppMedia.TypeOf(attachment.ContentType)
                    ?? throw new ChannelSendException(WhatsAppMedia.WrongType, transient: false);
                uploading = true;
                var mediaId = await MediaIdAsync(channel.PhoneNumberId, token, message.MessageId, attachment, ct);
                uploading = false;
                wamid = await graph.SendMediaAsync(channel.PhoneNumberId, token, to, WhatsAppMedia.MessageType(type), mediaId,
                    type is WhatsAppMediaType.Audio or WhatsAppMediaType.Sticker ? null : message.Body,
                    type == WhatsAppMediaType.Document ? attachment.FileName : null, callback, ct);
            }
            else
            {
                wamid = await graph.SendTextAsync(channel.PhoneNumberId, token, to, message.Body, callback, ct);
            }
        }
        catch (GraphApiException ex)
        {
            logger.LogWarning("WhatsApp refused message {MessageId}: HTTP {Status}, error {Code}", message.MessageId, ex.HttpStatus, ex.Code);
            if (ex.Code == WhatsAppErrors.TokenInvalid)
            {
                await FlagTokenAsync(channel.Id, ct);
            }
            throw new ChannelSendException(WhatsAppErrors.Describe(ex.Code, ex.Details ?? ex.GraphMessage), WhatsAppErrors.IsTransient(ex.Code, ex.HttpStatus));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested && uploading)
        {
            // An upload that timed out has sent the customer nothing, so it is simply tried again.
            throw new ChannelSendException("WhatsApp did not answer in time.", transient: true);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            // WhatsApp may have taken it: its status webhooks, which carry our message id, will tell.
            throw new ChannelSendUnconfirmedException("WhatsApp did not answer in time.", options.Value.UnconfirmedAfter);
        }
        catch (HttpRequestException)
        {
            throw new ChannelSendException("WhatsApp could not be reached.", transient: true);
        }
        // Recorded with the message's "sent", in one transaction, with any statuses that overtook this answer.
        return new SendResult(wamid);
    }

    /// <summary>
    /// The media id of the message's file: the one an earlier attempt of this outbox row uploaded, or a new upload,
    /// remembered on the row before the send so that a failed send is retried without uploading the file again.
    /// </summary>
    private async Task<string> MediaIdAsync(string phoneNumberId, string token, long messageId, Attachments.Attachment attachment, CancellationToken ct)
    {
        var outbox = db.Outbox.Where(o => o.MessageId == messageId);
        if (await outbox.Select(o => o.UploadedMediaId).FirstOrDefaultAsync(ct) is { } uploaded)
        {
            return uploaded;
        }
        string mediaId;
        await using (var content = store.OpenRead(attachment.StorageKey)
            ?? throw new ChannelSendException("The file of this message is no longer stored.", transient: false))
        {
            mediaId = await graph.UploadMediaAsync(phoneNumberId, token, content, attachment.ContentType, attachment.FileName, ct);
        }
        using (await gate.EnterAsync(ct))
        {
            await outbox.ExecuteUpdateAsync(s => s.SetProperty(o => o.UploadedMediaId, mediaId), ct);
        }
        return mediaId;
    }

    private async Task FlagTokenAsync(int channelId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        using (await gate.EnterAsync(ct))
        {
            await db.WhatsAppChannels.Where(c => c.Id == channelId).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, WhatsAppChannelStatus.TokenFailed)
                .SetProperty(c => c.StatusReason, WhatsAppErrors.TokenFailedReason)
                .SetProperty(c => c.StatusChangedAt, now), ct);
        }
    }
}
