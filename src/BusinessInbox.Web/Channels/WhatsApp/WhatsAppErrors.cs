namespace BusinessInbox.Channels.WhatsApp;

/// <summary>What WhatsApp's error codes mean, in words staff understand, and which ones pass with time.</summary>
public static class WhatsAppErrors
{
    public const int TokenInvalid = 190;
    public const string TokenFailedReason = "WhatsApp access token expired or invalid";

    /// <summary>Throughput or pair-rate limits: waiting and trying again helps.</summary>
    public static bool IsTransient(int? code, int httpStatus) =>
        code is 130429 or 131056 or 131000 or 2 || (code is null && (httpStatus >= 500 || httpStatus == 429));

    public static string Describe(int? code, string? message) => code switch
    {
        131047 => "24-hour window closed — send a template",
        131026 => "Message undeliverable: the number may not be on WhatsApp, or the customer's app is too old" + Suffix(message),
        131051 => "WhatsApp does not support this message type",
        131053 => "WhatsApp could not process the media" + Suffix(message),
        130429 => "Too many messages from this number right now (WhatsApp's rate limit)",
        131056 => "Too many messages to this customer in a short time",
        TokenInvalid => TokenFailedReason,
        100 => "WhatsApp refused a parameter of the message" + Suffix(message),
        _ => string.IsNullOrWhiteSpace(message) ? $"WhatsApp refused the message (error {code})" : Truncate(message),
    };

    private static string Suffix(string? message) => string.IsNullOrWhiteSpace(message) ? "" : ": " + Truncate(message);

    private static string Truncate(string text) => text.Length > 300 ? text[..300] : text;
}
