using BusinessInbox.Attachments;
using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BusinessInbox.QuickReplies;

/// <summary>
/// The file a quick reply carries. Its bytes are in the same <see cref="IAttachmentStore"/> as message attachments,
/// under keys of its own: sending the quick reply copies them into a new message <see cref="Attachment"/>, so
/// editing or deleting the quick reply never touches what a customer was already sent (see docs/decisions).
/// </summary>
public class QuickReplyAttachment
{
    public int Id { get; set; }
    public int BusinessId { get; set; }
    public int QuickReplyId { get; set; }
    public QuickReply QuickReply { get; set; } = null!;
    public AttachmentKind Kind { get; set; }
    /// <summary>Decided from the file's content, as for message attachments.</summary>
    public required string ContentType { get; set; }
    public required string FileName { get; set; }
    public long Size { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public required string StorageKey { get; set; }
    public string? ThumbnailKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The same file described as a message attachment (not saved), with the given bytes.</summary>
    public Attachment ToAttachment(string storageKey, string? thumbnailKey, DateTimeOffset createdAt) => new()
    {
        BusinessId = BusinessId,
        Kind = Kind,
        ContentType = ContentType,
        FileName = FileName,
        Size = Size,
        Width = Width,
        Height = Height,
        StorageKey = storageKey,
        ThumbnailKey = thumbnailKey,
        CreatedAt = createdAt,
    };
}

internal sealed class QuickReplyAttachmentConfiguration : IEntityTypeConfiguration<QuickReplyAttachment>
{
    public void Configure(EntityTypeBuilder<QuickReplyAttachment> b)
    {
        b.Property(x => x.ContentType).HasMaxLength(100);
        b.Property(x => x.FileName).HasMaxLength(255);
        b.Property(x => x.StorageKey).HasMaxLength(64);
        b.Property(x => x.ThumbnailKey).HasMaxLength(64);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
        // At most one file per quick reply; its row goes with the quick reply (the bytes are removed after the commit).
        b.HasOne(x => x.QuickReply).WithOne().HasForeignKey<QuickReplyAttachment>(x => x.QuickReplyId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.QuickReplyId).IsUnique();
    }
}
