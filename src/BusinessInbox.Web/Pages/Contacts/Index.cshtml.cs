using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BusinessInbox.Pages.Contacts;

/// <summary>The contacts directory (every member): search, sort and page through the business's contacts.</summary>
public sealed class IndexModel(InboxDb db) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true)]
    public ContactSort Sort { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public ContactPage Results { get; private set; } = new([], null);
    public string? Notice { get; private set; }
    public bool CanManage => User.RoleOf() is MemberRole.Admin or MemberRole.Owner;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Notice = TempData["Notice"] as string;
        Results = await ContactQueries.ListAsync(db, User.BusinessIdOf(), new ContactFilter(Search, Sort, Cursor), ct);
    }

    public static string DisplayName(ContactRow c) => c.Name ?? (c.Phone is { } p ? Phones.Display(p) : null) ?? c.Email ?? "#" + c.Id;
}
