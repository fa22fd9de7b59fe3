using System.Collections.Concurrent;
using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// Which business a phone number id belongs to, as webhooks route by it: every delivery names one, and at a thousand
/// deliveries a second a database query each is a noticeable share of the work. Answers are kept for
/// <see cref="KeptFor"/>; the settings page forgets them when a number changes here, and another app process sharing the
/// database sees the change at the latest after that time.
/// </summary>
public sealed class WhatsAppNumbers(TimeProvider clock)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (int? BusinessId, DateTimeOffset Until)> _known = new(StringComparer.Ordinal);

    /// <summary>The business that connected <paramref name="phoneNumberId"/>, or null when none has.</summary>
    public async Task<int?> BusinessOfAsync(InboxDb db, string phoneNumberId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_known.TryGetValue(phoneNumberId, out var known) && known.Until > now)
        {
            return known.BusinessId;
        }
        var businessId = await db.WhatsAppChannels.AsNoTracking().Where(c => c.PhoneNumberId == phoneNumberId)
            .Select(c => (int?)c.BusinessId).SingleOrDefaultAsync(ct);
        // Unknown numbers are not kept: a delivery for a number a shop is connecting right now must find it.
        if (businessId is not null)
        {
            _known[phoneNumberId] = (businessId, now + KeptFor);
        }
        return businessId;
    }

    /// <summary>Called when a business connects, changes or removes its number.</summary>
    public void Forget() => _known.Clear();
}
