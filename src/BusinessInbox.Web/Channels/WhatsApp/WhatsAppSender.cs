using System.Globalization;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// Sends staff replies through the Cloud API. Each send carries our message id as callback data, which
/// status webhooks echo back, so a send whose answer was lost is recognised instead of sent twice.
/// Graph errors are classified by their code: limits and outages are retried, the rest fail with the reason.
/// </summary>
public sealed class WhatsAppSender(
    InboxDb db, GraphApiClient graph, WhatsAppSecrets secrets, WhatsAppStatuses statuses, WriteGate gate, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<WhatsAppOptions> options, ILogger<WhatsAppSender> logger) : IChannelSender
{
    public ChannelKind Channel => ChannelKind.WhatsApp;

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        var channel = await db.WhatsAppChannels.AsNoTracking().SingleOrDefaultAsync(c => c.BusinessId == message.BusinessId, ct)
            ?? throw new ChannelSendException("WhatsApp is not connected for this business.", transient: false);
        if (channel.Status == WhatsAppChannelStatus.TokenFailed)
        {
            throw new ChannelSendException(WhatsAppErrors.TokenFailedReason, transient: false);
        }
        var to = await db.Chats.Where(c => c.Id == message.ChatId && c.BusinessId == message.BusinessId)
            .SelectMany(c => c.Contact.Identities.Where(i => i.Channel == ChannelKind.WhatsApp).Select(i => i.ExternalId))
            .FirstOrDefaultAsync(ct)
            ?? throw new ChannelSendException("This contact has no WhatsApp number.", transient: false);

        string wamid;
        try
        {
            var token = secrets.Unprotect(channel.AccessTokenProtected);
            var callback = message.MessageId.ToString(CultureInfo.InvariantCulture);
            var template = await db.WhatsAppTemplateSends.AsNoTracking().SingleOrDefaultAsync(t => t.MessageId == message.MessageId, ct);
            wamid = template is null
                ? await graph.SendTextAsync(channel.PhoneNumberId, token, to, message.Body, callback, ct)
                : await graph.SendTemplateAsync(channel.PhoneNumberId, token, to, template.Name, template.Language, template.Parameters, callback, ct);
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
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            // WhatsApp may have taken it: its status webhooks, which carry our message id, will tell.
            throw new ChannelSendUnconfirmedException("WhatsApp did not answer in time.", options.Value.UnconfirmedAfter);
        }
        catch (HttpRequestException)
        {
            throw new ChannelSendException("WhatsApp could not be reached.", transient: true);
        }
        await statuses.SendReturnedAsync(message.BusinessId, message.MessageId, wamid, ct);
        return new SendResult(wamid);
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
