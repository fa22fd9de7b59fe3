using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Contacts;

/// <summary>Erase a contact and everything about them (admins and owners), after typing the contact's name to confirm.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class EraseModel(InboxDb db, ContactCommands commands, IStringLocalizer<EraseModel> l) : PageModel
{
    public string Name { get; private set; } = "";
    public int Messages { get; private set; }
    public string? Problem { get; private set; }

    private int BusinessId => User.BusinessIdOf();

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(int id, string? confirm, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        if (!string.Equals(confirm?.Trim(), Name, StringComparison.OrdinalIgnoreCase))
        {
            Problem = l["Type the name {0} to confirm. Nothing was erased.", Name];
            return Page();
        }
        if (!await commands.EraseAsync(BusinessId, id, ct))
        {
            return NotFound();
        }
        TempData["Notice"] = l["The contact and all their messages were erased."].Value;
        return Redirect("/contacts");
    }

    private async Task<bool> LoadAsync(int id, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == id && c.BusinessId == BusinessId)
            .Select(c => new ContactRow(c.Id, c.Name, c.Phone, c.Email, c.IsBlocked, c.CreatedAt, c.LastMessageAt)).SingleOrDefaultAsync(ct);
        if (contact is null)
        {
            return false;
        }
        Name = IndexModel.DisplayName(contact);
        Messages = await db.Messages.CountAsync(m => m.Chat.ContactId == id && m.BusinessId == BusinessId, ct);
        return true;
    }
}
