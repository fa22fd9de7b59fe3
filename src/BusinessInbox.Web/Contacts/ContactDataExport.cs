using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Contacts;

/// <summary>A data-subject access request: everything stored about one contact, as JSON files in a zip archive, with their files under files/.</summary>
public static class ContactDataExport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The archive's bytes, or null when the contact is not in this business.</summary>
    public static async Task<byte[]?> ZipAsync(InboxDb db, Attachments.IAttachmentStore files, int businessId, int contactId, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == contactId && c.BusinessId == businessId)
            .Select(c => new { c.Id, c.Name, c.Phone, c.Email, c.Notes, c.IsBlocked, c.CreatedAt, c.FirstMessageAt, c.LastMessageAt })
            .SingleOrDefaultAsync(ct);
        if (contact is null)
        {
            return null;
        }
        var identities = await db.ContactIdentities.AsNoTracking().Where(i => i.ContactId == contactId)
            .Select(i => new { i.Channel, i.ExternalId }).ToListAsync(ct);
        var chats = await db.Chats.AsNoTracking().Where(c => c.ContactId == contactId && c.BusinessId == businessId)
            .Select(c => new { c.Id, c.Channel, c.Status, c.CreatedAt, c.LastMessageAt }).ToListAsync(ct);
        var chatIds = chats.Select(c => c.Id).ToList();
        // Labels: when chats carry labels, they are added to chats.json here.
        var messages = await db.Messages.AsNoTracking().Where(m => chatIds.Contains(m.ChatId)).OrderBy(m => m.Id)
            .Select(m => new
            {
                m.Id, m.ChatId, m.Direction, m.Author, m.Kind, AuthorName = m.AuthorUser != null ? m.AuthorUser.DisplayName : null,
                m.Body, m.Status, m.CreatedAt, m.CustomerTimestamp, m.FromBlockedContact,
                Attachment = m.Attachment == null ? null : new
                {
                    m.Attachment.Id, m.Attachment.Kind, m.Attachment.ContentType, m.Attachment.FileName, m.Attachment.Size,
                    // The file's place in this archive.
                    File = "files/" + m.Attachment.Id + "-" + m.Attachment.FileName,
                },
            })
            .ToListAsync(ct);
        var keys = await db.Attachments.AsNoTracking().Where(a => a.BusinessId == businessId && chatIds.Contains(a.Message.ChatId))
            .ToDictionaryAsync(a => a.Id, a => a.StorageKey, ct);
        var events = await db.ChatEvents.AsNoTracking().Where(e => chatIds.Contains(e.ChatId)).OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.ChatId, e.Kind, e.From, e.To, e.At }).ToListAsync(ct);

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            await AddAsync(zip, "profile.json", contact, ct);
            await AddAsync(zip, "identities.json", identities, ct);
            await AddAsync(zip, "chats.json", chats, ct);
            await AddAsync(zip, "messages.json", messages, ct);
            await AddAsync(zip, "events.json", events, ct);
            foreach (var message in messages)
            {
                if (message.Attachment is { } attachment && keys.TryGetValue(attachment.Id, out var key) && files.OpenRead(key) is { } file)
                {
                    await using (file)
                    {
                        // Photos and PDFs are compressed already.
                        await using var entry = await zip.CreateEntry(attachment.File, CompressionLevel.NoCompression).OpenAsync(ct);
                        await file.CopyToAsync(entry, ct);
                    }
                }
            }
        }
        return buffer.ToArray();
    }

    private static async Task AddAsync<T>(ZipArchive zip, string name, T value, CancellationToken ct)
    {
        await using var entry = await zip.CreateEntry(name, CompressionLevel.Optimal).OpenAsync(ct);
        await JsonSerializer.SerializeAsync(entry, value, Json, ct);
    }
}
