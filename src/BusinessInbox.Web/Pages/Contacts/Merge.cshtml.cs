using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Contacts;

/// <summary>Merge two contacts that are the same person (admins and owners): pick the other one, and which to keep.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class MergeModel(InboxDb db, ContactCommands commands, IStringLocalizer<MergeModel> l) : PageModel
{
    public ContactRow Contact { get; private set; } = null!;
    public IReadOnlyList<ContactRow> Candidates { get; private set; } = [];

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    private int BusinessId => User.BusinessIdOf();

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } contact)
        {
            return NotFound();
        }
        Contact = contact;
        if (!string.IsNullOrWhiteSpace(Search))
        {
            Candidates = [.. (await ContactQueries.ListAsync(db, BusinessId, new ContactFilter(Search, Limit: 20), ct)).Contacts.Where(c => c.Id != id)];
        }
        return Page();
    }

    /// <summary>Merges <paramref name="otherId"/> and this contact, keeping <paramref name="keepId"/>.</summary>
    public async Task<IActionResult> OnPostAsync(int id, int otherId, int keepId, CancellationToken ct)
    {
        if (keepId != id && keepId != otherId)
        {
            return NotFound();
        }
        var removedId = keepId == id ? otherId : id;
        if (!await commands.MergeAsync(BusinessId, keepId, removedId, User.UserId(), ct))
        {
            return NotFound();
        }
        TempData["Notice"] = l["The contacts were merged."].Value;
        return Redirect($"/contacts/{keepId}");
    }

    private Task<ContactRow?> FindAsync(int id, CancellationToken ct) =>
        db.Contacts.AsNoTracking().Where(c => c.Id == id && c.BusinessId == BusinessId)
            .Select(c => new ContactRow(c.Id, c.Name, c.Phone, c.Email, c.IsBlocked, c.CreatedAt, c.LastMessageAt))
            .SingleOrDefaultAsync(ct);
}
