using System.Text;
using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Pages.Contacts;

/// <summary>The contacts of the current search as a CSV file (admins and owners), safe to open in a spreadsheet.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class ExportModel(InboxDb db) : PageModel
{
    public async Task<IActionResult> OnGetAsync(string? q, CancellationToken ct)
    {
        var contacts = await ContactQueries.Filtered(db, User.BusinessIdOf(), q).OrderBy(c => c.Id)
            .Select(c => new { c.Name, c.Phone, c.Email, c.Notes, c.IsBlocked }).ToListAsync(ct);
        var csv = new StringBuilder(Csv.Line(["name", "phone", "email", "notes", "blocked"]));
        foreach (var c in contacts)
        {
            csv.Append(Csv.Line([c.Name, c.Phone, c.Email, c.Notes, c.IsBlocked ? "yes" : ""]));
        }
        // With a byte-order mark, so that spreadsheets read the file as UTF-8.
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray();
        return File(bytes, "text/csv; charset=utf-8", "contacts.csv");
    }
}
