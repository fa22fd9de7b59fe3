using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Contacts;

/// <summary>
/// CSV import (admins and owners): upload, preview and column mapping, a validation report per row, then the import
/// runs in the background while this page polls its progress.
/// </summary>
[Authorize(Policy = Policies.Admin)]
[RequestSizeLimit(MaxBytes + 64 * 1024)]
public sealed class ImportModel(InboxDb db, WriteGate gate, TimeProvider clock, ContactImportSignal signal, ImportProgress progress,
    IStringLocalizer<ImportModel> l) : PageModel
{
    public const int MaxBytes = 10 * 1024 * 1024;
    public const int PreviewRows = 5;

    public ContactImport? Import { get; private set; }
    public IReadOnlyList<string[]> Rows { get; private set; } = [];
    public ImportMapping Mapping { get; private set; } = new(null, null, null, null);
    public ImportCheck? Check { get; private set; }
    public string? Problem { get; private set; }

    private int BusinessId => User.BusinessIdOf();

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (id is null)
        {
            return Page();
        }
        if (!await LoadAsync(id.Value, ct))
        {
            return NotFound();
        }
        if (Import!.Status == ContactImportStatus.Draft && Rows.Count > 0)
        {
            Mapping = Import.Mapping is { } json ? ImportMapping.FromJson(json) : ImportMapping.Guess(Rows[0]);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            Problem = l["Choose a CSV file to upload."];
            return Page();
        }
        if (file.Length > MaxBytes)
        {
            Problem = l["The file is larger than 10 MB. Split it and import the parts one after another."];
            return Page();
        }
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        string text;
        try
        {
            text = Csv.Decode(buffer.ToArray());
            var rows = Csv.Parse(text);
            if (rows.Count < 2)
            {
                Problem = l["The file has a header but no rows."];
                return Page();
            }
        }
        catch (CsvFormatException ex)
        {
            Problem = l[ex.Message];
            return Page();
        }
        var import = new ContactImport
        {
            BusinessId = BusinessId, UserId = User.UserId(), FileName = Path.GetFileName(file.FileName) is { Length: > 0 and <= 200 } n ? n : "contacts.csv",
            Content = text, Status = ContactImportStatus.Draft, CreatedAt = clock.GetUtcNow(),
        };
        using (await gate.EnterAsync(ct))
        {
            db.ContactImports.Add(import);
            await db.SaveChangesAsync(ct);
        }
        return Redirect($"/contacts/import?id={import.Id}");
    }

    /// <summary>Checks every row with the chosen mapping and shows the report; nothing is written to the contacts.</summary>
    public async Task<IActionResult> OnPostCheckAsync(long id, int? name, int? phone, int? email, int? notes, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || Import!.Status != ContactImportStatus.Draft)
        {
            return NotFound();
        }
        Mapping = new ImportMapping(Column(name), Column(phone), Column(email), Column(notes));
        if (Mapping.Phone is null && Mapping.Email is null)
        {
            Problem = l["Choose the phone or the e-mail column: contacts are matched by them."];
            return Page();
        }
        Check = ContactImportRules.Check(Csv.Parse(Import.Content), Mapping);
        return Page();
    }

    public async Task<IActionResult> OnPostStartAsync(long id, int? name, int? phone, int? email, int? notes, CancellationToken ct)
    {
        var mapping = new ImportMapping(name, phone, email, notes);
        if (mapping.Phone is null && mapping.Email is null)
        {
            return BadRequest();
        }
        int started;
        using (await gate.EnterAsync(ct))
        {
            started = await db.ContactImports
                .Where(i => i.Id == id && i.BusinessId == BusinessId && i.Status == ContactImportStatus.Draft)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Mapping, mapping.ToJson()).SetProperty(i => i.Status, ContactImportStatus.Queued), ct);
        }
        if (started == 0)
        {
            return NotFound();
        }
        signal.Wake();
        return Redirect($"/contacts/import?id={id}");
    }

    /// <summary>How far the import is, for the page's progress bar.</summary>
    public async Task<IActionResult> OnGetProgressAsync(long id, CancellationToken ct)
    {
        var import = await db.ContactImports.AsNoTracking().Where(i => i.Id == id && i.BusinessId == BusinessId)
            .Select(i => new { i.Status, i.Total, i.Processed, i.Created, i.Updated, i.Skipped, i.Error }).SingleOrDefaultAsync(ct);
        if (import is null)
        {
            return NotFound();
        }
        var processed = progress.Of(id) ?? import.Processed;
        return new JsonResult(new
        {
            status = import.Status.ToString(), import.Total, processed, import.Created, import.Updated, import.Skipped,
            error = import.Error is null ? null : l[import.Error].Value,
        });
    }

    private int? Column(int? index) => index is { } i && i >= 0 && Rows.Count > 0 && i < Rows[0].Length ? i : null;

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        Import = await db.ContactImports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id && i.BusinessId == BusinessId, ct);
        if (Import is null)
        {
            return false;
        }
        if (Import.Status == ContactImportStatus.Draft)
        {
            Rows = Csv.Parse(Import.Content);
        }
        return true;
    }

    public LocalizedString Describe(ImportIssue issue) => issue.Problem switch
    {
        ImportProblem.InvalidPhone => l["Row {0}: “{1}” is not a phone number in international form (+ and the country code).", issue.Row, issue.Value],
        ImportProblem.InvalidEmail => l["Row {0}: “{1}” is not an e-mail address.", issue.Row, issue.Value],
        ImportProblem.DuplicateInFile => l["Row {0}: “{1}” is already in row {2} of this file.", issue.Row, issue.Value, issue.OtherRow ?? 0],
        ImportProblem.NothingToMatch => l["Row {0}: no phone and no e-mail.", issue.Row],
        _ => l["Row {0}: a name longer than 100 or notes longer than 4,000 characters.", issue.Row],
    };
}
