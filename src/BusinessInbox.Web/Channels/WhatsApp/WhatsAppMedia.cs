using BusinessInbox.Inbox;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>How WhatsApp carries a file: each kind has its own message type, accepted formats and size limit.</summary>
public enum WhatsAppMediaType
{
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

/// <summary>
/// WhatsApp's own rules for the files a business sends, checked before anything is stored so that staff hear the
/// limit at once instead of seeing the send fail later. The product's own upload limit (10 MB, JPEG/PNG/WebP/GIF/PDF)
/// is checked first by <see cref="Attachments.AttachmentFiles"/>; the smaller of the two limits wins.
/// </summary>
public static class WhatsAppMedia
{
    private const long MB = 1024 * 1024;
    public const long MaxImageBytes = 5 * MB;
    public const long MaxVideoBytes = 16 * MB;
    public const long MaxAudioBytes = 16 * MB;
    public const long MaxDocumentBytes = 100 * MB;
    public const long MaxStickerBytes = 100 * 1024;
    public const int StickerSide = 512;
    /// <summary>WhatsApp's caption limit (a text message may have 4,096 characters, a caption only 1,024).</summary>
    public const int MaxCaptionLength = 1024;

    public const string PhotoTooLarge = "WhatsApp accepts photos up to 5 MB.";
    public const string VideoTooLarge = "WhatsApp accepts videos up to 16 MB.";
    public const string AudioTooLarge = "WhatsApp accepts audio up to 16 MB.";
    public const string DocumentTooLarge = "WhatsApp accepts documents up to 100 MB.";
    public const string NoGif = "WhatsApp does not accept GIFs: send the picture as a JPEG or PNG photo.";
    public const string NoWebP = "WhatsApp accepts photos as JPEG or PNG; a WebP image only as a 512 × 512 sticker of up to 100 KB.";
    public const string WrongType = "WhatsApp does not accept this kind of file.";
    public const string NoCaption = "WhatsApp sends stickers and audio without a caption: send the text as its own message.";
    public const string CaptionTooLong = "A caption on WhatsApp can have at most 1024 characters.";

    private static readonly Dictionary<string, WhatsAppMediaType> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/jpeg"] = WhatsAppMediaType.Image,
        ["image/png"] = WhatsAppMediaType.Image,
        ["video/mp4"] = WhatsAppMediaType.Video,
        ["video/3gpp"] = WhatsAppMediaType.Video,
        ["audio/aac"] = WhatsAppMediaType.Audio,
        ["audio/amr"] = WhatsAppMediaType.Audio,
        ["audio/mpeg"] = WhatsAppMediaType.Audio,
        ["audio/mp4"] = WhatsAppMediaType.Audio,
        ["audio/ogg"] = WhatsAppMediaType.Audio,
        ["image/webp"] = WhatsAppMediaType.Sticker,
        ["application/pdf"] = WhatsAppMediaType.Document,
        ["text/plain"] = WhatsAppMediaType.Document,
        ["application/msword"] = WhatsAppMediaType.Document,
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] = WhatsAppMediaType.Document,
        ["application/vnd.ms-excel"] = WhatsAppMediaType.Document,
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = WhatsAppMediaType.Document,
        ["application/vnd.ms-powerpoint"] = WhatsAppMediaType.Document,
        ["application/vnd.openxmlformats-officedocument.presentationml.presentation"] = WhatsAppMediaType.Document,
    };

    /// <summary>The message type a file of this content type is sent as, or null when WhatsApp takes no such file.</summary>
    public static WhatsAppMediaType? TypeOf(string contentType) =>
        Types.TryGetValue(Essence(contentType), out var type) ? type : null;

    /// <summary>The <c>type</c> of the send request, which also names the object that carries the media id.</summary>
    public static string MessageType(WhatsAppMediaType type) => type switch
    {
        WhatsAppMediaType.Image => "image",
        WhatsAppMediaType.Video => "video",
        WhatsAppMediaType.Audio => "audio",
        WhatsAppMediaType.Sticker => "sticker",
        _ => "document",
    };

    /// <summary>Why WhatsApp would refuse this file with this caption, in words staff understand; null when it may go.</summary>
    public static string? Refusal(string contentType, long size, int? width, int? height, string? caption)
    {
        var hasCaption = !string.IsNullOrWhiteSpace(caption);
        var type = TypeOf(contentType);
        if (type == WhatsAppMediaType.Sticker && !(width == StickerSide && height == StickerSide && size <= MaxStickerBytes))
        {
            return NoWebP;
        }
        var problem = type switch
        {
            null => string.Equals(Essence(contentType), "image/gif", StringComparison.OrdinalIgnoreCase) ? NoGif : WrongType,
            WhatsAppMediaType.Image when size > MaxImageBytes => PhotoTooLarge,
            WhatsAppMediaType.Video when size > MaxVideoBytes => VideoTooLarge,
            WhatsAppMediaType.Audio when size > MaxAudioBytes => AudioTooLarge,
            WhatsAppMediaType.Document when size > MaxDocumentBytes => DocumentTooLarge,
            // Sending the text as a second message would give one message two WhatsApp ids and two sets of ticks.
            WhatsAppMediaType.Audio or WhatsAppMediaType.Sticker when hasCaption => NoCaption,
            _ => null,
        };
        if (problem is null && hasCaption && MessageText.CodePoints(caption!.Trim()) > MaxCaptionLength)
        {
            return CaptionTooLong;
        }
        return problem;
    }

    /// <summary>"audio/ogg; codecs=opus" → "audio/ogg".</summary>
    private static string Essence(string contentType) => contentType.Split(';', 2)[0].Trim();
}
