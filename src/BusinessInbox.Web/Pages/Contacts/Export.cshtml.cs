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
    public async Task<IActionResult> OnGetAsync(string? q, int? label, CancellationToken ct)
    {
        var businessId = User.BusinessIdOf();
        var contacts = await ContactQueries.Filtered(db, businessId, q, label).OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.Name, c.Phone, c.Email, c.Notes, c.IsBlocked }).ToListAsync(ct);
        var labels = await ContactQueries.LabelsOfAsync(db, businessId, [.. contacts.Select(c => c.Id)], ct);
        var csv = new StringBuilder(Csv.Line(["name", "phone", "email", "notes", "blocked", "labels"]));
        foreach (var c in contacts)
        {
            var names = labels.TryGetValue(c.Id, out var l) ? string.Join("; ", l.Select(x => x.Name)) : "";
            csv.Append(Csv.Line([c.Name, c.Phone, c.Email, c.Notes, c.IsBlocked ? "yes" : "", names]));
        }
        // With a byte-order mark, so that spreadsheets read the file as UTF-8.
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray();
        return File(bytes, "text/csv; charset=utf-8", "contacts.csv");
    }
}
