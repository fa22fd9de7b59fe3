using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BusinessInbox.Pages.Contacts;

/// <summary>A data-subject access request (admins and owners): everything about one contact as a zip of JSON files and their photos and documents.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class DataModel(InboxDb db, BusinessInbox.Attachments.IAttachmentStore files) : PageModel
{
    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct) =>
        await ContactDataExport.ZipAsync(db, files, User.BusinessIdOf(), id, ct) is { } zip
            ? File(zip, "application/zip", $"contact-{id}.zip")
            : NotFound();
}
