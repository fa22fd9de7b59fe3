using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Labels;
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

    [BindProperty(SupportsGet = true)]
    public int? Label { get; set; }

    public IReadOnlyList<LabelView> Labels { get; private set; } = [];

    public ContactPage Results { get; private set; } = new([], null);
    public string? Notice { get; private set; }
    public bool CanManage => User.RoleOf() is MemberRole.Admin or MemberRole.Owner;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Notice = TempData["Notice"] as string;
        Labels = await LabelService.ListAsync(db, User.BusinessIdOf(), ct);
        if (Label is { } label && Labels.All(l => l.Id != label))
        {
            // Another business's label, or one deleted since the link was made: it filters nothing.
            Label = null;
        }
        Results = await ContactQueries.ListAsync(db, User.BusinessIdOf(), new ContactFilter(Search, Sort, Cursor, Label: Label), ct);
    }

    /// <summary>The query string of the current search, for the next page and the export links.</summary>
    public string Query(string? cursor = null) => QueryString.Create(new Dictionary<string, string?>
    {
        ["q"] = Search,
        ["sort"] = Sort.ToString(),
        ["label"] = Label?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["cursor"] = cursor,
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();

    public static string DisplayName(ContactRow c) => c.Name ?? (c.Phone is { } p ? Phones.Display(p) : null) ?? c.Email ?? "#" + c.Id;
}
