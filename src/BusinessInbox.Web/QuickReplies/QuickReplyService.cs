using System.Text.RegularExpressions;
using BusinessInbox.Attachments;
using BusinessInbox.AutoReplies;
using BusinessInbox.Data;
using BusinessInbox.Hours;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.QuickReplies;

/// <summary>A quick reply as the composer's picker and the settings page show it: the text with its placeholders unfilled.</summary>
public sealed record QuickReplyView(int Id, string Shortcut, string Text, QuickReplyFileView? File = null);

/// <summary>What the picker and the settings page show of a quick reply's file; its bytes are read under <c>/inbox/quick-replies/{id}/file</c>.</summary>
public sealed record QuickReplyFileView(AttachmentKind Kind, string ContentType, string FileName, long Size);

/// <summary>A file someone chose for a quick reply, not yet checked: its bytes and the name it came with.</summary>
public sealed record QuickReplyUpload(byte[] Content, string? FileName);

/// <summary>Saved answers of a business, and their text filled in for one chat. Every operation is scoped to one business.</summary>
public sealed partial class QuickReplyService(InboxDb db, WriteGate gate, TimeProvider clock, AttachmentUploads uploads, IAttachmentStore store)
{
    /// <summary>The error key of problems with the file, beside <see cref="QuickReply.Shortcut"/> and <see cref="QuickReply.Text"/>.</summary>
    public const string FileField = "File";

    [GeneratedRegex("^[a-z0-9_-]{1,25}$")]
    private static partial Regex ShortcutPattern();

    public static Task<List<QuickReplyView>> ListAsync(InboxDb db, int businessId, CancellationToken ct) =>
        (from q in db.QuickReplies.AsNoTracking()
         where q.BusinessId == businessId
         join a in db.QuickReplyAttachments on q.Id equals a.QuickReplyId into files
         from a in files.DefaultIfEmpty()
         orderby q.Shortcut
         select new QuickReplyView(q.Id, q.Shortcut, q.Text, a == null ? null : new QuickReplyFileView(a.Kind, a.ContentType, a.FileName, a.Size)))
        .ToListAsync(ct);

    /// <summary>The shortcut as stored: without the slash, in lower case.</summary>
    public static string NormalizeShortcut(string? shortcut) => (shortcut ?? "").Trim().TrimStart('/').ToLowerInvariant();

    /// <summary>Creates a quick reply (<paramref name="id"/> null) or changes its text, keeping its file.</summary>
    public Task<Dictionary<string, string>> SaveAsync(int businessId, int? id, string? shortcut, string? text, CancellationToken ct) =>
        SaveAsync(businessId, id, shortcut, text, file: null, removeFile: false, ct);

    /// <summary>
    /// Creates a quick reply (<paramref name="id"/> null) or changes one; returns the problems by field, empty when saved.
    /// A <paramref name="file"/> is added or replaces the one there was; <paramref name="removeFile"/> takes it away.
    /// Either everything is saved or nothing: the new file's bytes are removed again when the row cannot be written, and
    /// the old file's bytes only after the commit.
    /// </summary>
    public async Task<Dictionary<string, string>> SaveAsync(
        int businessId, int? id, string? shortcut, string? text, QuickReplyUpload? file, bool removeFile, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var key = NormalizeShortcut(shortcut);
        var body = text?.Trim() ?? "";
        if (!ShortcutPattern().IsMatch(key))
        {
            errors[nameof(QuickReply.Shortcut)] = "Use 1 to 25 lowercase letters, digits, _ or - after the slash, such as /thanks.";
        }
        if (body.Length == 0)
        {
            errors[nameof(QuickReply.Text)] = "Write the text of the reply.";
        }
        else if (MessageText.CodePoints(body) > MessageText.MaxLength)
        {
            errors[nameof(QuickReply.Text)] = $"At most {MessageText.MaxLength} characters.";
        }
        else if (Placeholders.Check(body) is { } problem)
        {
            errors[nameof(QuickReply.Text)] = problem;
        }
        CheckedFile? checkedFile = null;
        if (file is not null)
        {
            (checkedFile, var fileError) = AttachmentFiles.Check(file.Content, file.FileName);
            if (fileError is not null)
            {
                errors[FileField] = fileError;
            }
        }
        if (errors.Count > 0)
        {
            return errors;
        }

        // Written before the row, outside the gate: a slow disk must not hold up every other write.
        var stored = checkedFile is null ? null : await uploads.StoreAsync(businessId, checkedFile, ct);
        (string Key, string? ThumbnailKey)? replaced = null;
        var saved = false;
        try
        {
            using (await gate.EnterAsync(ct))
            {
                QuickReply reply;
                QuickReplyAttachment? attachment = null;
                if (id is { } existing)
                {
                    reply = await db.QuickReplies.SingleOrDefaultAsync(q => q.Id == existing && q.BusinessId == businessId, ct)
                            ?? throw InboxException.NotFound("The quick reply");
                    attachment = await db.QuickReplyAttachments.SingleOrDefaultAsync(a => a.QuickReplyId == existing, ct);
                }
                else
                {
                    reply = new QuickReply { BusinessId = businessId, Shortcut = key, Text = body };
                    db.QuickReplies.Add(reply);
                }
                (reply.Shortcut, reply.Text) = (key, body);
                if (attachment is not null && (stored is not null || removeFile))
                {
                    replaced = (attachment.StorageKey, attachment.ThumbnailKey);
                    if (stored is null)
                    {
                        db.QuickReplyAttachments.Remove(attachment);
                    }
                }
                if (stored is not null)
                {
                    if (attachment is null)
                    {
                        attachment = new QuickReplyAttachment
                        {
                            BusinessId = businessId, QuickReply = reply, ContentType = stored.ContentType, FileName = stored.FileName, StorageKey = stored.StorageKey,
                        };
                        db.QuickReplyAttachments.Add(attachment);
                    }
                    Describe(attachment, stored);
                }
                try
                {
                    await db.SaveChangesAsync(ct);
                    saved = true;
                }
                catch (DbUpdateException)
                {
                    // The unique index on (business, shortcut) decides, not a check beforehand.
                    db.ChangeTracker.Clear();
                    errors[nameof(QuickReply.Shortcut)] = $"There is already a quick reply /{key}. Choose another shortcut.";
                }
            }
        }
        finally
        {
            // Nothing was saved, so the new file belongs to nobody (and the old one is still in use).
            if (!saved && stored is not null)
            {
                await uploads.DeleteFilesAsync(stored, CancellationToken.None);
            }
        }
        if (saved && replaced is { } old)
        {
            await uploads.DeleteFilesAsync([old], CancellationToken.None);
        }
        return errors;
    }

    private static void Describe(QuickReplyAttachment attachment, Attachment stored)
    {
        attachment.Kind = stored.Kind;
        attachment.ContentType = stored.ContentType;
        attachment.FileName = stored.FileName;
        attachment.Size = stored.Size;
        attachment.Width = stored.Width;
        attachment.Height = stored.Height;
        attachment.StorageKey = stored.StorageKey;
        attachment.ThumbnailKey = stored.ThumbnailKey;
        attachment.CreatedAt = stored.CreatedAt;
    }

    /// <summary>Deletes the quick reply and its file: the row in the transaction, the bytes after the commit.</summary>
    public async Task DeleteAsync(int businessId, int id, CancellationToken ct)
    {
        List<(string Key, string? ThumbnailKey)> files;
        using (await gate.EnterAsync(ct))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            files = await db.QuickReplyAttachments.Where(a => a.QuickReplyId == id && a.BusinessId == businessId)
                .Select(a => new ValueTuple<string, string?>(a.StorageKey, a.ThumbnailKey)).ToListAsync(ct);
            await db.QuickReplyAttachments.Where(a => a.QuickReplyId == id && a.BusinessId == businessId).ExecuteDeleteAsync(ct);
            if (await db.QuickReplies.Where(q => q.Id == id && q.BusinessId == businessId).ExecuteDeleteAsync(ct) == 0)
            {
                throw InboxException.NotFound("The quick reply");
            }
            await transaction.CommitAsync(ct);
        }
        await uploads.DeleteFilesAsync(files, CancellationToken.None);
    }

    /// <summary>The quick reply's file, when it has one and belongs to this business.</summary>
    public static Task<QuickReplyAttachment?> FileOfAsync(InboxDb db, int businessId, int quickReplyId, CancellationToken ct) =>
        db.QuickReplyAttachments.AsNoTracking().SingleOrDefaultAsync(a => a.QuickReplyId == quickReplyId && a.BusinessId == businessId, ct);

    /// <summary>
    /// A copy of the quick reply's file for a message, not yet saved: new bytes under new keys, so that the message keeps
    /// its file when the quick reply's is replaced or deleted.
    /// </summary>
    public async Task<Attachment> CopyFileForMessageAsync(int businessId, int quickReplyId, CancellationToken ct)
    {
        var file = await FileOfAsync(db, businessId, quickReplyId, ct) ?? throw InboxException.NotFound("The quick reply's file");
        var key = await CopyAsync(file.StorageKey, ct) ?? throw InboxException.NotFound("The quick reply's file");
        string? thumbnailKey = null;
        try
        {
            thumbnailKey = file.ThumbnailKey is null ? null : await CopyAsync(file.ThumbnailKey, ct);
        }
        catch
        {
            await uploads.DeleteFilesAsync([(key, null)], CancellationToken.None);
            throw;
        }
        return file.ToAttachment(key, thumbnailKey, clock.GetUtcNow());
    }

    private async Task<string?> CopyAsync(string key, CancellationToken ct)
    {
        await using var source = store.OpenRead(key);
        return source is null ? null : await store.SaveAsync(source, ct);
    }

    /// <summary>The reply's text with the placeholders filled in for this chat's contact, now.</summary>
    public async Task<string> RenderAsync(int businessId, int chatId, int quickReplyId, CancellationToken ct)
    {
        var contactName = await db.Chats.AsNoTracking().Where(c => c.Id == chatId && c.BusinessId == businessId)
            .Select(c => new { c.Contact.Name }).SingleOrDefaultAsync(ct) ?? throw InboxException.NotFound("The conversation");
        var text = await db.QuickReplies.AsNoTracking().Where(q => q.Id == quickReplyId && q.BusinessId == businessId)
            .Select(q => q.Text).SingleOrDefaultAsync(ct) ?? throw InboxException.NotFound("The quick reply");
        var business = await db.Businesses.AsNoTracking().SingleAsync(b => b.Id == businessId, ct);
        var hours = business.Hours.In(business.TimeZone);
        return Placeholders.Render(text, Placeholders.ValuesFor(business.Name, hours, new BusinessClock(hours), contactName.Name, clock.GetUtcNow()));
    }
}
