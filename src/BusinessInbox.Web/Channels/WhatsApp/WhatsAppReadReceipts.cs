using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// Blue ticks for the customer when staff read a WhatsApp chat, if the business turned them on (off by
/// default: some shops do not want "read" shown before a reply is ready). Best effort: a lost receipt is harmless.
/// </summary>
public sealed class WhatsAppReadReceipts(InboxDb db, GraphApiClient graph, WhatsAppSecrets secrets, ILogger<WhatsAppReadReceipts> logger)
{
    public async Task SendAsync(int businessId, long[] readIds, CancellationToken ct)
    {
        if (readIds.Length == 0)
        {
            return;
        }
        var channel = await db.WhatsAppChannels.AsNoTracking()
            .SingleOrDefaultAsync(c => c.BusinessId == businessId && c.SendReadReceipts && c.Status != WhatsAppChannelStatus.TokenFailed, ct);
        if (channel is null)
        {
            return;
        }
        // Marking the newest message read marks the earlier ones read too.
        var wamid = await db.Messages.AsNoTracking()
            .Where(m => readIds.Contains(m.Id) && m.BusinessId == businessId && m.Channel == ChannelKind.WhatsApp && m.ExternalId != null)
            .OrderByDescending(m => m.Id).Select(m => m.ExternalId).FirstOrDefaultAsync(ct);
        if (wamid is null)
        {
            return;
        }
        try
        {
            await graph.MarkReadAsync(channel.PhoneNumberId, secrets.Unprotect(channel.AccessTokenProtected), wamid, ct);
        }
        catch (Exception ex) when (ex is GraphApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("WhatsApp did not take a read receipt for business {BusinessId}: {Error}", businessId, ex.GetType().Name);
        }
    }
}
