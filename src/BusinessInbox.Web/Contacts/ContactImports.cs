using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Workers;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Contacts;

/// <summary>Which column (0-based) holds each field; null when the file has none.</summary>
public sealed record ImportMapping(int? Name, int? Phone, int? Email, int? Notes)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static ImportMapping FromJson(string json) => JsonSerializer.Deserialize<ImportMapping>(json)!;

    /// <summary>A first guess from the header's names, which people can correct.</summary>
    public static ImportMapping Guess(string[] header)
    {
        int? Find(params string[] names)
        {
            for (var i = 0; i < header.Length; i++)
            {
                var h = header[i].Trim().ToLowerInvariant();
                if (names.Any(n => h.Contains(n, StringComparison.Ordinal)))
                {
                    return i;
                }
            }
            return null;
        }
        return new ImportMapping(Find("name"), Find("phone", "mobile", "tel", "whatsapp"), Find("mail"), Find("note", "comment"));
    }
}

public enum ImportProblem
{
    InvalidPhone,
    InvalidEmail,
    DuplicateInFile,
    NothingToMatch,
    TooLong,
}

/// <summary>A row the import leaves out, and why; <see cref="OtherRow"/> is the earlier row it duplicates.</summary>
public sealed record ImportIssue(int Row, ImportProblem Problem, string Value, int? OtherRow = null);

public sealed record ImportRow(int Row, string? Name, string? Phone, string? Email, string? Notes);

public sealed record ImportCheck(IReadOnlyList<ImportRow> Valid, IReadOnlyList<ImportIssue> Issues);

/// <summary>The rules of a contacts import: what a row must hold, and how rows are matched to existing contacts.</summary>
public static class ContactImportRules
{
    private static readonly EmailAddressAttribute EmailRule = new();

    /// <summary>Checks every row (the first is the header); row numbers are the file's line numbers as a spreadsheet shows them.</summary>
    public static ImportCheck Check(IReadOnlyList<string[]> rows, ImportMapping map)
    {
        var valid = new List<ImportRow>();
        var issues = new List<ImportIssue>();
        var phones = new Dictionary<string, int>(StringComparer.Ordinal);
        var emails = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var r = 1; r < rows.Count; r++)
        {
            var number = r + 1;
            string? Cell(int? column) =>
                column is { } c && c < rows[r].Length && Csv.Unneutralise(rows[r][c].Trim()) is { Length: > 0 } v ? v : null;
            var name = Cell(map.Name);
            var rawPhone = Cell(map.Phone);
            var email = Cell(map.Email);
            var notes = Cell(map.Notes);
            var phone = Phones.ToE164(rawPhone);
            if (rawPhone is not null && phone is null)
            {
                issues.Add(new ImportIssue(number, ImportProblem.InvalidPhone, rawPhone));
                continue;
            }
            if (email is not null && (email.Length > 254 || !EmailRule.IsValid(email)))
            {
                issues.Add(new ImportIssue(number, ImportProblem.InvalidEmail, email));
                continue;
            }
            if (name?.Length > 100 || notes?.Length > 4000)
            {
                issues.Add(new ImportIssue(number, ImportProblem.TooLong, name?.Length > 100 ? name[..20] + "…" : "…"));
                continue;
            }
            if (phone is null && email is null)
            {
                issues.Add(new ImportIssue(number, ImportProblem.NothingToMatch, name ?? ""));
                continue;
            }
            if (phone is not null && phones.TryGetValue(phone, out var samePhone))
            {
                issues.Add(new ImportIssue(number, ImportProblem.DuplicateInFile, rawPhone!, samePhone));
                continue;
            }
            if (email is not null && emails.TryGetValue(email, out var sameEmail))
            {
                issues.Add(new ImportIssue(number, ImportProblem.DuplicateInFile, email, sameEmail));
                continue;
            }
            if (phone is not null)
            {
                phones[phone] = number;
            }
            if (email is not null)
            {
                emails[email] = number;
            }
            valid.Add(new ImportRow(number, name, phone, email, notes));
        }
        return new ImportCheck(valid, issues);
    }
}

/// <summary>How far a running import is. Kept in memory while it runs: its rows are written in one transaction, whose
/// progress no other database connection can see before it commits.</summary>
public sealed class ImportProgress
{
    private readonly ConcurrentDictionary<long, int> _processed = new();

    /// <summary>Raised on every report, for whoever watches an import (the tests see each step this way).</summary>
    public event Action<long, int>? Reported;

    public void Report(long importId, int processed)
    {
        _processed[importId] = processed;
        Reported?.Invoke(importId, processed);
    }

    public int? Of(long importId) => _processed.TryGetValue(importId, out var n) ? n : null;

    public void Forget(long importId) => _processed.TryRemove(importId, out _);
}

public sealed class ContactImportSignal : WorkSignal;

/// <summary>
/// Runs queued imports one at a time: all rows in one transaction (nothing half-imported), matched to existing contacts
/// by phone, then e-mail, so that running the same file twice updates instead of duplicating.
/// </summary>
public sealed class ContactImportWorker(
    IServiceScopeFactory scopes,
    ContactImportSignal signal,
    ImportProgress progress,
    TimeProvider clock,
    ILogger<ContactImportWorker> logger) : QueueWorker(signal, clock, TimeSpan.FromSeconds(30), logger)
{
    protected override string WorkName => "Running a contacts import";

    protected override async Task<bool> ProcessNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        var gate = scope.ServiceProvider.GetRequiredService<WriteGate>();
        var import = await db.ContactImports.Where(i => i.Status == ContactImportStatus.Queued || i.Status == ContactImportStatus.Running)
            .OrderBy(i => i.Id).FirstOrDefaultAsync(ct);
        if (import is null)
        {
            return false;
        }
        progress.Report(import.Id, 0);
        try
        {
            using (await gate.EnterAsync(ct))
            {
                import.Status = ContactImportStatus.Running;
                await db.SaveChangesAsync(ct);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await ImportAsync(db, import, ct);
                import.Status = ContactImportStatus.Done;
                import.Content = "";
                import.FinishedAt = Clock.GetUtcNow();
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            if (Logger.IsEnabled(LogLevel.Information))
            {
                var (id, created, updated, skipped) = (import.Id, import.Created, import.Updated, import.Skipped);
                Logger.LogInformation("Contacts import {ImportId} done: {Created} created, {Updated} updated, {Skipped} skipped", id, created, updated, skipped);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogError(ex, "Contacts import {ImportId} failed; nothing of it was kept", import.Id);
            db.ChangeTracker.Clear();
            using (await gate.EnterAsync(ct))
            {
                await db.ContactImports.Where(i => i.Id == import.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Status, ContactImportStatus.Failed)
                    .SetProperty(i => i.Content, "")
                    .SetProperty(i => i.Error, ex is CsvFormatException ? ex.Message : "The import stopped with an error; nothing was imported.")
                    .SetProperty(i => i.FinishedAt, Clock.GetUtcNow()), ct);
            }
        }
        finally
        {
            progress.Forget(import.Id);
        }
        return true;
    }

    private async Task ImportAsync(InboxDb db, ContactImport import, CancellationToken ct)
    {
        var rows = Csv.Parse(import.Content);
        var check = ContactImportRules.Check(rows, ImportMapping.FromJson(import.Mapping!));
        var now = Clock.GetUtcNow();
        var existing = await db.Contacts.Where(c => c.BusinessId == import.BusinessId).ToListAsync(ct);
        var byPhone = existing.Where(c => c.Phone is not null).GroupBy(c => c.Phone!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var byEmail = existing.Where(c => c.Email is not null).GroupBy(c => c.Email!).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        import.Total = check.Valid.Count;
        import.Skipped = check.Issues.Count;
        // About twenty steps, so the progress bar moves steadily on a large file.
        var step = Math.Max(100, check.Valid.Count / 20);
        for (var i = 0; i < check.Valid.Count; i++)
        {
            var row = check.Valid[i];
            var contact = (row.Phone is not null ? byPhone.GetValueOrDefault(row.Phone) : null)
                ?? (row.Email is not null ? byEmail.GetValueOrDefault(row.Email) : null);
            if (contact is null)
            {
                contact = new Contact { BusinessId = import.BusinessId, CreatedAt = now };
                db.Contacts.Add(contact);
                import.Created++;
            }
            else
            {
                import.Updated++;
            }
            contact.Name = row.Name ?? contact.Name;
            contact.Phone = row.Phone ?? contact.Phone;
            contact.Email = row.Email ?? contact.Email;
            contact.Notes = row.Notes ?? contact.Notes;
            if (contact.Phone is not null)
            {
                byPhone[contact.Phone] = contact;
            }
            if (contact.Email is not null)
            {
                byEmail[contact.Email] = contact;
            }
            if ((i + 1) % step == 0 || i + 1 == check.Valid.Count)
            {
                await db.SaveChangesAsync(ct);
                import.Processed = i + 1;
                progress.Report(import.Id, i + 1);
            }
        }
    }
}
