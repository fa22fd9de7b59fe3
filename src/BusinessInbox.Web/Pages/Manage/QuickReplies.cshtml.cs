using BusinessInbox.Attachments;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.QuickReplies;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Manage;

/// <summary>Settings → Quick replies (admins and owners): saved answers staff insert with /shortcut, each with an optional file.</summary>
// Room for a file somewhat over the limit, so that it reaches the handler and gets a readable refusal rather than a bare error.
[RequestSizeLimit(ReadLimit)]
[RequestFormLimits(MultipartBodyLengthLimit = ReadLimit)]
public sealed class QuickRepliesModel(InboxDb db, QuickReplyService quickReplies, IStringLocalizer<QuickRepliesModel> l) : PageModel
{
    private const long ReadLimit = 3 * AttachmentFiles.MaxRequestBytes;

    public IReadOnlyList<QuickReplyView> Replies { get; private set; } = [];

    /// <summary>The quick reply being edited, or null when the form creates one.</summary>
    [BindProperty(SupportsGet = true)] public int? Edit { get; set; }
    [BindProperty] public string? Shortcut { get; set; }
    [BindProperty] public string? Text { get; set; }
    /// <summary>A photo or PDF to send with the text; on an edit it replaces the file there was.</summary>
    [BindProperty] public IFormFile? NewFile { get; set; }
    [BindProperty] public bool RemoveFile { get; set; }

    /// <summary>The file of the quick reply being edited.</summary>
    public QuickReplyFileView? CurrentFile { get; private set; }

    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Edit is { } id)
        {
            var reply = Replies.FirstOrDefault(x => x.Id == id);
            if (reply is null)
            {
                return NotFound();
            }
            (Shortcut, Text) = (reply.Shortcut, reply.Text);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        QuickReplyUpload? upload = null;
        if (NewFile is { Length: > 0 } file)
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            upload = new QuickReplyUpload(buffer.ToArray(), file.FileName);
        }
        Dictionary<string, string> errors;
        try
        {
            errors = await quickReplies.SaveAsync(User.BusinessIdOf(), Edit, Shortcut, Text, upload, RemoveFile, ct);
        }
        catch (InboxException ex) when (ex.Error == InboxError.NotFound)
        {
            return NotFound();
        }
        if (errors.Count > 0)
        {
            foreach (var (field, message) in errors)
            {
                ModelState.AddModelError(field == QuickReplyService.FileField ? nameof(NewFile) : field, l[message]);
            }
            if (upload is not null && !errors.ContainsKey(QuickReplyService.FileField))
            {
                // A browser never fills a file field in again by itself.
                ModelState.AddModelError(nameof(NewFile), l["The file was not saved: choose it again after correcting the text."]);
            }
            await LoadAsync(ct);
            return Page();
        }
        Notice = l["Quick reply /{0} saved.", QuickReplyService.NormalizeShortcut(Shortcut)];
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(int id, CancellationToken ct)
    {
        try
        {
            await quickReplies.DeleteAsync(User.BusinessIdOf(), id, ct);
        }
        catch (InboxException ex) when (ex.Error == InboxError.NotFound)
        {
            return NotFound();
        }
        Notice = l["The quick reply was deleted."];
        return RedirectToPage(new { edit = (int?)null });
    }

    /// <summary>A file size as people read it.</summary>
    public static string SizeText(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{Math.Round(bytes / 1024.0)} KB",
        _ => $"{bytes / (1024.0 * 1024):0.0} MB",
    };

    private async Task LoadAsync(CancellationToken ct)
    {
        Replies = await QuickReplyService.ListAsync(db, User.BusinessIdOf(), ct);
        CurrentFile = Edit is { } id ? Replies.FirstOrDefault(r => r.Id == id)?.File : null;
    }
}
