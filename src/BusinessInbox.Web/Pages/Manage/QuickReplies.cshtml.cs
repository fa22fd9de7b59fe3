using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.QuickReplies;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Manage;

/// <summary>Settings → Quick replies (admins and owners): saved answers staff insert with /shortcut.</summary>
public sealed class QuickRepliesModel(InboxDb db, QuickReplyService quickReplies, IStringLocalizer<QuickRepliesModel> l) : PageModel
{
    public IReadOnlyList<QuickReplyView> Replies { get; private set; } = [];

    /// <summary>The quick reply being edited, or null when the form creates one.</summary>
    [BindProperty(SupportsGet = true)] public int? Edit { get; set; }
    [BindProperty] public string? Shortcut { get; set; }
    [BindProperty] public string? Text { get; set; }

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
        Dictionary<string, string> errors;
        try
        {
            errors = await quickReplies.SaveAsync(User.BusinessIdOf(), Edit, Shortcut, Text, ct);
        }
        catch (InboxException ex) when (ex.Error == InboxError.NotFound)
        {
            return NotFound();
        }
        if (errors.Count > 0)
        {
            foreach (var (field, message) in errors)
            {
                ModelState.AddModelError(field, l[message]);
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

    private async Task LoadAsync(CancellationToken ct) => Replies = await QuickReplyService.ListAsync(db, User.BusinessIdOf(), ct);
}
