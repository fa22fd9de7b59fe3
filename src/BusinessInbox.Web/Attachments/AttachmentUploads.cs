using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Attachments;

/// <summary>Puts checked files in the store and takes them out again, for uploads, erasures and channels that fetch media.</summary>
public sealed class AttachmentUploads(IAttachmentStore store, TimeProvider clock, ILogger<AttachmentUploads> logger)
{
    /// <summary>Stores the file (and its thumbnail) and returns the attachment, to be saved with its message.</summary>
    public async Task<Attachment> StoreAsync(int businessId, CheckedFile file, CancellationToken ct)
    {
        string key;
        using (var content = new MemoryStream(file.Content, writable: false))
        {
            key = await store.SaveAsync(content, ct);
        }
        string? thumbnailKey = null;
        if (file.Thumbnail is not null)
        {
            using var thumbnail = new MemoryStream(file.Thumbnail, writable: false);
            thumbnailKey = await store.SaveAsync(thumbnail, ct);
        }
        return new Attachment
        {
            BusinessId = businessId,
            Kind = file.Kind,
            ContentType = file.ContentType,
            FileName = file.FileName,
            Size = file.Content.Length,
            Width = file.Width,
            Height = file.Height,
            StorageKey = key,
            ThumbnailKey = thumbnailKey,
            CreatedAt = clock.GetUtcNow(),
        };
    }

    /// <summary>Removes the files of attachments whose rows are gone (or were never saved). A file that cannot be removed is logged, not thrown.</summary>
    public async Task DeleteFilesAsync(IEnumerable<(string Key, string? ThumbnailKey)> files, CancellationToken ct)
    {
        foreach (var key in files.SelectMany(f => new[] { f.Key, f.ThumbnailKey }).OfType<string>())
        {
            try
            {
                await store.DeleteAsync(key, ct);
            }
            catch (IOException ex)
            {
                logger.LogWarning(ex, "Attachment file {Key} could not be deleted", key);
            }
        }
    }

    public Task DeleteFilesAsync(Attachment attachment, CancellationToken ct) =>
        DeleteFilesAsync([(attachment.StorageKey, attachment.ThumbnailKey)], ct);

    /// <summary>The storage keys of every attachment in these chats, read before their rows are deleted.</summary>
    public static Task<List<(string Key, string? ThumbnailKey)>> KeysOfChatsAsync(InboxDb db, IReadOnlyCollection<int> chatIds, CancellationToken ct) =>
        db.Attachments.AsNoTracking().Where(a => chatIds.Contains(a.Message.ChatId))
            .Select(a => new ValueTuple<string, string?>(a.StorageKey, a.ThumbnailKey)).ToListAsync(ct);
}
