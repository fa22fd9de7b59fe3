namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// WhatsApp's customer service window: each customer message opens 24 hours in which any message may be
/// sent; outside it only approved templates are allowed.
/// </summary>
public static class WhatsAppWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromHours(24);

    public const string ClosedMessage = "The 24-hour window closed: WhatsApp only allows template messages until the customer writes again.";

    public static DateTimeOffset? EndsAt(DateTimeOffset? lastCustomerMessageAt) => lastCustomerMessageAt + Length;

    public static bool IsOpen(DateTimeOffset? lastCustomerMessageAt, DateTimeOffset now) => EndsAt(lastCustomerMessageAt) > now;
}
