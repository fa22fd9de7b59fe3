using BusinessInbox.Channels.WebChat;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Data;
using BusinessInbox.Hosting;
using BusinessInbox.Inbox;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Net.Http.Headers;

namespace BusinessInbox.Attachments;

/// <summary>
/// Photos and PDFs in the thread: uploads by staff (<c>/inbox/chats/{id}/attachments</c>) and by the web-chat customer
/// (<c>/c/{slug}/attachments</c>), which become messages through the same paths as text; and the files themselves,
/// served to members of the business or to the customer of that chat only.
/// </summary>
public static class AttachmentEndpoints
{
    public static WebApplicationBuilder AddAttachments(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IAttachmentStore, FileAttachmentStore>();
        builder.Services.AddScoped<AttachmentUploads>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAttachments(this IEndpointRouteBuilder app)
    {
        // Kestrel stops reading a larger body; the handlers also refuse it by its declared length before reading.
        var sizeLimit = new RequestSizeLimitAttribute(AttachmentFiles.MaxRequestBytes);

        app.MapPost("/inbox/chats/{chatId:int}/attachments", StaffUploadAsync)
            .RequireAuthorization(Policies.Agent).WithMetadata(sizeLimit).DisableAntiforgery().ExcludeFromDescription();
        app.MapGet("/inbox/attachments/{id:long}", (long id, HttpContext http, InboxDb db, IAttachmentStore store, CancellationToken ct) =>
                StaffFileAsync(id, thumbnail: false, http, db, store, ct))
            .RequireAuthorization(Policies.Agent).ExcludeFromDescription();
        app.MapGet("/inbox/attachments/{id:long}/thumbnail", (long id, HttpContext http, InboxDb db, IAttachmentStore store, CancellationToken ct) =>
                StaffFileAsync(id, thumbnail: true, http, db, store, ct))
            .RequireAuthorization(Policies.Agent).ExcludeFromDescription();

        app.MapPost("/c/{slug}/attachments", CustomerUploadAsync)
            .AllowAnonymous().RequireRateLimiting(HostingExtensions.CustomerRateLimit).WithMetadata(sizeLimit).DisableAntiforgery().ExcludeFromDescription();
        app.MapGet("/c/{slug}/attachments/{id:long}", (string slug, long id, HttpContext http, InboxDb db, VisitorCookie visitors, IAttachmentStore store, CancellationToken ct) =>
                CustomerFileAsync(slug, id, thumbnail: false, http, db, visitors, store, ct))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/c/{slug}/attachments/{id:long}/thumbnail", (string slug, long id, HttpContext http, InboxDb db, VisitorCookie visitors, IAttachmentStore store, CancellationToken ct) =>
                CustomerFileAsync(slug, id, thumbnail: true, http, db, visitors, store, ct))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> StaffUploadAsync(
        int chatId, HttpContext http, InboxDb db, ChatCommands commands, AttachmentUploads uploads, IAntiforgery antiforgery,
        IStringLocalizer<AttachmentUploads> l, CancellationToken ct)
    {
        var businessId = http.User.BusinessIdOf();
        var channel = await db.Chats.Where(c => c.Id == chatId && c.BusinessId == businessId).Select(c => (ChannelKind?)c.Channel).SingleOrDefaultAsync(ct);
        if (channel is null)
        {
            return Results.NotFound();
        }
        var (upload, refusal) = await ReadUploadAsync(http, antiforgery, l, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        var note = string.Equals(upload!.Form["note"], "true", StringComparison.OrdinalIgnoreCase);
        // Refused before the file is stored; ChatCommands checks again for every other way a file reaches a reply.
        if (!note && channel == ChannelKind.WhatsApp && WhatsAppMedia.Refusal(
                upload.File.ContentType, upload.File.Content.Length, upload.File.Width, upload.File.Height, upload.Caption) is { } whatsAppRefusal)
        {
            return Refuse(l[whatsAppRefusal]);
        }
        var attachment = await uploads.StoreAsync(businessId, upload.File, ct);
        return await ReplyWithStoredFileAsync(businessId, chatId, http.User.UserId(), upload.Caption, note, attachment, commands, uploads, l, ct);
    }

    /// <summary>Writes a staff message with a file already in the store; the file is removed again when the message is refused.</summary>
    internal static async Task<IResult> ReplyWithStoredFileAsync(
        int businessId, int chatId, string? userId, string caption, bool note, Attachment attachment,
        ChatCommands commands, AttachmentUploads uploads, IStringLocalizer<AttachmentUploads> l, CancellationToken ct)
    {
        try
        {
            return Results.Ok(await commands.ReplyWithAttachmentAsync(businessId, chatId, userId, caption, note, attachment, ct));
        }
        catch (InboxException ex)
        {
            await uploads.DeleteFilesAsync(attachment, CancellationToken.None);
            return ex.Error == InboxError.NotFound ? Results.NotFound() : Refuse(l[ex.Message]);
        }
        catch
        {
            await uploads.DeleteFilesAsync(attachment, CancellationToken.None);
            throw;
        }
    }

    private static async Task<IResult> CustomerUploadAsync(
        string slug, HttpContext http, InboxDb db, VisitorCookie visitors, CustomerRateLimiter limiter, InboundMessages inbound,
        AttachmentUploads uploads, IAntiforgery antiforgery, IStringLocalizer<AttachmentUploads> l, CancellationToken ct)
    {
        var visitor = visitors.Read(http);
        if (visitor is null)
        {
            return Refuse(l["Open the chat page again to start a conversation."]);
        }
        var businessId = await db.Businesses.Where(b => b.Slug == slug).Select(b => (int?)b.Id).SingleOrDefaultAsync(ct);
        if (businessId is null)
        {
            return Results.NotFound();
        }
        using var lease = limiter.TryAcquire(visitor);
        if (!lease.IsAcquired)
        {
            return Refuse(l["You are sending messages too quickly. Please wait a moment and try again."], StatusCodes.Status429TooManyRequests);
        }
        var (upload, refusal) = await ReadUploadAsync(http, antiforgery, l, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        var clientId = upload!.Form["clientId"].ToString();
        if (clientId.Length is 0 or > 64 || !clientId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return Refuse(l["The message could not be sent. Reload the page and try again."]);
        }
        var name = upload.Form["name"].ToString().Trim();
        if (name.Length > 100)
        {
            return Refuse(l["Your name can have at most 100 characters."]);
        }

        var attachment = await uploads.StoreAsync(businessId.Value, upload.File, ct);
        InboundResult result;
        try
        {
            result = await inbound.ReceiveAsync(
                new InboundMessage(businessId.Value, ChannelKind.WebChat, visitor, name.Length == 0 ? null : name, null,
                    $"wc:{visitor}:{clientId}", upload.Caption, Attachment: attachment),
                ct);
        }
        catch
        {
            await uploads.DeleteFilesAsync(attachment, CancellationToken.None);
            throw;
        }
        if (result.Duplicate)
        {
            // The same upload sent again after a dropped connection: the first copy stands.
            await uploads.DeleteFilesAsync(attachment, CancellationToken.None);
        }
        var stored = await InboxQueries.MessageAsync(db, result.MessageId, ct);
        return Results.Ok(CustomerViews.Of(stored!));
    }

    private sealed record Upload(IFormCollection Form, CheckedFile File, string Caption);

    /// <summary>Reads and checks the multipart form: its size, the antiforgery token, the caption and the file's content.</summary>
    private static async Task<(Upload? Upload, IResult? Refusal)> ReadUploadAsync(
        HttpContext http, IAntiforgery antiforgery, IStringLocalizer<AttachmentUploads> l, CancellationToken ct)
    {
        if (http.Request.ContentLength > AttachmentFiles.MaxRequestBytes)
        {
            return (null, Refuse(l[AttachmentFiles.TooLarge], StatusCodes.Status413PayloadTooLarge));
        }
        if (!http.Request.HasFormContentType)
        {
            return (null, Refuse(l["Choose a photo or PDF to send."]));
        }
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(
                new FormOptions { MultipartBodyLengthLimit = AttachmentFiles.MaxRequestBytes, ValueCountLimit = 20, BufferBodyLengthLimit = AttachmentFiles.MaxRequestBytes },
                ct);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            return (null, Refuse(l[AttachmentFiles.TooLarge], StatusCodes.Status413PayloadTooLarge));
        }
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return (null, Refuse(l["This page has expired. Reload it and try again."]));
        }
        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0)
        {
            return (null, Refuse(l["Choose a photo or PDF to send."]));
        }
        if (file.Length > AttachmentFiles.MaxBytes)
        {
            return (null, Refuse(l[AttachmentFiles.TooLarge], StatusCodes.Status413PayloadTooLarge));
        }
        var caption = form["caption"].ToString().Trim();
        if (caption.Length > 0 && MessageText.Check(caption).Error is { } captionError)
        {
            return (null, Refuse(l[captionError]));
        }
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, ct);
        var (checkedFile, error) = AttachmentFiles.Check(buffer.ToArray(), file.FileName);
        if (error is not null)
        {
            return (null, Refuse(l[error]));
        }
        return (new Upload(form, checkedFile!, caption), null);
    }

    internal static IResult Refuse(string message, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new { error = message }, statusCode: status);

    private static async Task<IResult> StaffFileAsync(long id, bool thumbnail, HttpContext http, InboxDb db, IAttachmentStore store, CancellationToken ct)
    {
        var businessId = http.User.BusinessIdOf();
        var attachment = await db.Attachments.AsNoTracking().Where(a => a.Id == id && a.BusinessId == businessId).SingleOrDefaultAsync(ct);
        return Serve(attachment, thumbnail, http, store);
    }

    private static async Task<IResult> CustomerFileAsync(
        string slug, long id, bool thumbnail, HttpContext http, InboxDb db, VisitorCookie visitors, IAttachmentStore store, CancellationToken ct)
    {
        if (visitors.Read(http) is not { } visitor)
        {
            return Results.NotFound();
        }
        // The customer sees what their thread shows them: their own files and what the shop sent, never a private note.
        var attachment = await db.Attachments.AsNoTracking()
            .Where(a => a.Id == id
                && db.Businesses.Any(b => b.Id == a.BusinessId && b.Slug == slug)
                && a.Message.Kind == MessageKind.Text
                && a.Message.Status != MessageStatus.Queued && a.Message.Status != MessageStatus.Failed
                && a.Message.Chat.Channel == ChannelKind.WebChat
                && db.ContactIdentities.Any(i => i.ContactId == a.Message.Chat.ContactId && i.BusinessId == a.BusinessId
                    && i.Channel == ChannelKind.WebChat && i.ExternalId == visitor))
            .SingleOrDefaultAsync(ct);
        return Serve(attachment, thumbnail, http, store);
    }

    internal static IResult Serve(Attachment? attachment, bool thumbnail, HttpContext http, IAttachmentStore store)
    {
        var key = thumbnail ? attachment?.ThumbnailKey : attachment?.StorageKey;
        if (attachment is null || key is null || store.OpenRead(key) is not { } stream)
        {
            return Results.NotFound();
        }
        var headers = http.Response.Headers;
        // Only this person's browser may keep it; a shared cache must not.
        headers.CacheControl = "private, max-age=3600";
        // A file is never a page: nothing in it may run, even if a browser were talked into rendering it.
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        if (thumbnail)
        {
            return Results.Stream(stream, "image/webp");
        }
        var disposition = new ContentDispositionHeaderValue(attachment.Kind == AttachmentKind.Image ? "inline" : "attachment");
        disposition.SetHttpFileName(attachment.FileName);
        headers.ContentDisposition = disposition.ToString();
        return Results.Stream(stream, attachment.ContentType, enableRangeProcessing: true);
    }
}
