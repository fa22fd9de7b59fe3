using System.ComponentModel.DataAnnotations;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// The deployment's Meta app (which receives the webhooks at /webhooks/whatsapp) and where the Graph API is.
/// The secret and the verify token are optional: without them only shops with their own Meta app receive webhooks.
/// </summary>
public sealed class WhatsAppOptions
{
    public const string Section = "WhatsApp";

    /// <summary>The Meta app's App Secret: every webhook delivery is signed with it.</summary>
    [MinLength(16, ErrorMessage = "The App Secret is at least 16 characters (Meta's are 32 hexadecimal digits).")]
    public string? AppSecret { get; set; }

    /// <summary>The token Meta sends back in the subscription handshake.</summary>
    [MinLength(8, ErrorMessage = "Choose a verify token of at least 8 characters.")]
    public string? VerifyToken { get; set; }

    [Required, Url(ErrorMessage = "Give an absolute http(s) URL, such as https://graph.facebook.com.")]
    public string GraphApiBaseUrl { get; set; } = "https://graph.facebook.com";

    [Required, RegularExpression(@"^v\d+\.\d+$", ErrorMessage = "Give a Graph API version such as v23.0.")]
    public string GraphApiVersion { get; set; } = "v23.0";

    /// <summary>A Graph API call that takes longer is treated as a passing failure (and reconciled from webhooks).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a send that timed out waits for a status webhook before it is marked "may not have been sent".</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan UnconfirmedAfter { get; set; } = TimeSpan.FromHours(3);
}
