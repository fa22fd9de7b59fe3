using BusinessInbox.Attachments;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.QuickReplies;

/// <summary>
/// A quick reply's file: read by members of the business (the settings page links it), and sent in a chat as a copy
/// (<c>/inbox/chats/{chatId}/attachments/quick-replies/{id}</c>), through the same reply-with-a-file path as an upload.
/// </summary>
public static class QuickReplyFileEndpoints
{
    public static IEndpointRouteBuilder MapQuickReplyFiles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/inbox/quick-replies/{id:int}/file", FileAsync)
            .RequireAuthorization(Policies.Agent).ExcludeFromDescription();
        // The form carries the caption and the antiforgery token only; the file is already on the server.
        app.MapPost("/inbox/chats/{chatId:int}/attachments/quick-replies/{id:int}", SendAsync)
            .RequireAuthorization(Policies.Agent).WithMetadata(new RequestSizeLimitAttribute(64 * 1024)).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> FileAsync(int id, HttpContext http, InboxDb db, IAttachmentStore store, CancellationToken ct)
    {
        var file = await QuickReplyService.FileOfAsync(db, http.User.BusinessIdOf(), id, ct);
        return AttachmentEndpoints.Serve(file?.ToAttachment(file.StorageKey, file.ThumbnailKey, file.CreatedAt), thumbnail: false, http, store);
    }

    private static async Task<IResult> SendAsync(
        int chatId, int id, HttpContext http, InboxDb db, ChatCommands commands, QuickReplyService quickReplies, AttachmentUploads uploads,
        IAntiforgery antiforgery, IStringLocalizer<AttachmentUploads> l, CancellationToken ct)
    {
        var businessId = http.User.BusinessIdOf();
        if (!await db.Chats.AnyAsync(c => c.Id == chatId && c.BusinessId == businessId, ct))
        {
            return Results.NotFound();
        }
        if (!http.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(http))
        {
            return AttachmentEndpoints.Refuse(l["This page has expired. Reload it and try again."]);
        }
        var form = await http.Request.ReadFormAsync(ct);
        Attachment copy;
        try
        {
            copy = await quickReplies.CopyFileForMessageAsync(businessId, id, ct);
        }
        catch (InboxException ex) when (ex.Error == InboxError.NotFound)
        {
            return Results.NotFound();
        }
        var note = string.Equals(form["note"], "true", StringComparison.OrdinalIgnoreCase);
        return await AttachmentEndpoints.ReplyWithStoredFileAsync(
            businessId, chatId, http.User.UserId(), form["caption"].ToString().Trim(), note, copy, commands, uploads, l, ct);
    }
}
