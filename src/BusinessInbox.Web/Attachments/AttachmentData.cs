using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BusinessInbox.Attachments;

public enum AttachmentKind
{
    Image = 0,
    Document = 1,
}

/// <summary>
/// A file carried by a message. The bytes live in an <see cref="IAttachmentStore"/> under random keys, never in the
/// database; the name the sender gave is kept for display and downloads only.
/// </summary>
public class Attachment
{
    public long Id { get; set; }
    public int BusinessId { get; set; }
    public long MessageId { get; set; }
    public Message Message { get; set; } = null!;
    public AttachmentKind Kind { get; set; }
    /// <summary>Decided from the file's content, never from its name or the uploader's claim.</summary>
    public required string ContentType { get; set; }
    public required string FileName { get; set; }
    /// <summary>Bytes of the stored file (after re-encoding, for images).</summary>
    public long Size { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public required string StorageKey { get; set; }
    /// <summary>A small WebP rendering of an image; null for documents.</summary>
    public string? ThumbnailKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class AttachmentConfiguration : IEntityTypeConfiguration<Attachment>
{
    public void Configure(EntityTypeBuilder<Attachment> b)
    {
        b.Property(x => x.ContentType).HasMaxLength(100);
        b.Property(x => x.FileName).HasMaxLength(255);
        b.Property(x => x.StorageKey).HasMaxLength(64);
        b.Property(x => x.ThumbnailKey).HasMaxLength(64);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
        // One attachment per message, as on WhatsApp; it goes when its message goes.
        b.HasOne(x => x.Message).WithOne(m => m.Attachment).HasForeignKey<Attachment>(x => x.MessageId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.MessageId).IsUnique();
        b.HasIndex(x => new { x.BusinessId, x.Id });
    }
}
