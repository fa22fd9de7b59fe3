using BusinessInbox.Inbox;
using BusinessInbox.Labels;
using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Manage;

/// <summary>Settings → Labels (admins and owners): create, rename, recolour and delete the business's labels.</summary>
public sealed class LabelsModel(InboxDb db, LabelService labels, IStringLocalizer<LabelsModel> l) : PageModel
{
    public IReadOnlyList<LabelView> Labels { get; private set; } = [];

    /// <summary>The label being edited, or null when the form creates one.</summary>
    [BindProperty(SupportsGet = true)] public int? Edit { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public int Color { get; set; }

    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Edit is { } id)
        {
            var label = Labels.FirstOrDefault(x => x.Id == id);
            if (label is null)
            {
                return NotFound();
            }
            (Name, Color) = (label.Name, label.Color);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        string? problem;
        try
        {
            problem = await labels.SaveAsync(User.BusinessIdOf(), Edit, Name, Color, ct);
        }
        catch (InboxException ex) when (ex.Error == InboxError.NotFound)
        {
            return NotFound();
        }
        if (problem is not null)
        {
            ModelState.AddModelError(nameof(Name), l[problem]);
            await LoadAsync(ct);
            return Page();
        }
        Notice = Edit is null ? l["Label \"{0}\" created.", Name!.Trim()] : l["Label \"{0}\" saved.", Name!.Trim()];
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(int id, CancellationToken ct)
    {
        try
        {
            await labels.DeleteAsync(User.BusinessIdOf(), id, ct);
        }
        catch (InboxException ex) when (ex.Error == InboxError.NotFound)
        {
            return NotFound();
        }
        Notice = l["The label was deleted and taken off every chat."];
        return RedirectToPage(new { edit = (int?)null });
    }

    private async Task LoadAsync(CancellationToken ct) => Labels = await LabelService.ListAsync(db, User.BusinessIdOf(), ct);
}
