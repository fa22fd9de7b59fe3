namespace BusinessInbox.Attachments;

/// <summary>
/// What a thread shows of a message's file. Pages build its addresses themselves: staff read it under
/// <c>/inbox/attachments/{id}</c>, the customer under <c>/c/{slug}/attachments/{id}</c>.
/// </summary>
public sealed record AttachmentView(long Id, AttachmentKind Kind, string ContentType, string FileName, long Size, int? Width, int? Height, bool HasThumbnail)
{
    /// <summary>The conversation list's line for a message with a file, as WhatsApp writes it.</summary>
    public static string Preview(AttachmentKind kind, string fileName, string caption) => kind switch
    {
        AttachmentKind.Image => "📷 " + (string.IsNullOrWhiteSpace(caption) ? "Photo" : caption),
        _ => "📄 " + fileName,
    };
}
