using System.Text.RegularExpressions;
using BusinessInbox.AutoReplies;
using BusinessInbox.Data;
using BusinessInbox.Hours;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.QuickReplies;

/// <summary>A quick reply as the composer's picker and the settings page show it: the text with its placeholders unfilled.</summary>
public sealed record QuickReplyView(int Id, string Shortcut, string Text);

/// <summary>Saved answers of a business, and their text filled in for one chat. Every operation is scoped to one business.</summary>
public sealed partial class QuickReplyService(InboxDb db, WriteGate gate, TimeProvider clock)
{
    [GeneratedRegex("^[a-z0-9_-]{1,25}$")]
    private static partial Regex ShortcutPattern();

    public static Task<List<QuickReplyView>> ListAsync(InboxDb db, int businessId, CancellationToken ct) =>
        db.QuickReplies.AsNoTracking().Where(q => q.BusinessId == businessId)
            .OrderBy(q => q.Shortcut)
            .Select(q => new QuickReplyView(q.Id, q.Shortcut, q.Text))
            .ToListAsync(ct);

    /// <summary>The shortcut as stored: without the slash, in lower case.</summary>
    public static string NormalizeShortcut(string? shortcut) => (shortcut ?? "").Trim().TrimStart('/').ToLowerInvariant();

    /// <summary>Creates a quick reply (<paramref name="id"/> null) or changes one; returns the problems by field, empty when saved.</summary>
    public async Task<Dictionary<string, string>> SaveAsync(int businessId, int? id, string? shortcut, string? text, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var key = NormalizeShortcut(shortcut);
        var body = text?.Trim() ?? "";
        if (!ShortcutPattern().IsMatch(key))
        {
            errors[nameof(QuickReply.Shortcut)] = "Use 1 to 25 lowercase letters, digits, _ or - after the slash, such as /thanks.";
        }
        if (body.Length == 0)
        {
            errors[nameof(QuickReply.Text)] = "Write the text of the reply.";
        }
        else if (MessageText.CodePoints(body) > MessageText.MaxLength)
        {
            errors[nameof(QuickReply.Text)] = $"At most {MessageText.MaxLength} characters.";
        }
        else if (Placeholders.Check(body) is { } problem)
        {
            errors[nameof(QuickReply.Text)] = problem;
        }
        if (errors.Count > 0)
        {
            return errors;
        }

        using (await gate.EnterAsync(ct))
        {
            QuickReply reply;
            if (id is { } existing)
            {
                reply = await db.QuickReplies.SingleOrDefaultAsync(q => q.Id == existing && q.BusinessId == businessId, ct)
                        ?? throw InboxException.NotFound("The quick reply");
            }
            else
            {
                reply = new QuickReply { BusinessId = businessId, Shortcut = key, Text = body };
                db.QuickReplies.Add(reply);
            }
            (reply.Shortcut, reply.Text) = (key, body);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The unique index on (business, shortcut) decides, not a check beforehand.
                db.ChangeTracker.Clear();
                errors[nameof(QuickReply.Shortcut)] = $"There is already a quick reply /{key}. Choose another shortcut.";
            }
        }
        return errors;
    }

    public async Task DeleteAsync(int businessId, int id, CancellationToken ct)
    {
        using (await gate.EnterAsync(ct))
        {
            if (await db.QuickReplies.Where(q => q.Id == id && q.BusinessId == businessId).ExecuteDeleteAsync(ct) == 0)
            {
                throw InboxException.NotFound("The quick reply");
            }
        }
    }

    /// <summary>The reply's text with the placeholders filled in for this chat's contact, now.</summary>
    public async Task<string> RenderAsync(int businessId, int chatId, int quickReplyId, CancellationToken ct)
    {
        var contactName = await db.Chats.AsNoTracking().Where(c => c.Id == chatId && c.BusinessId == businessId)
            .Select(c => new { c.Contact.Name }).SingleOrDefaultAsync(ct) ?? throw InboxException.NotFound("The conversation");
        var text = await db.QuickReplies.AsNoTracking().Where(q => q.Id == quickReplyId && q.BusinessId == businessId)
            .Select(q => q.Text).SingleOrDefaultAsync(ct) ?? throw InboxException.NotFound("The quick reply");
        var business = await db.Businesses.AsNoTracking().SingleAsync(b => b.Id == businessId, ct);
        var hours = business.Hours.In(business.TimeZone);
        return Placeholders.Render(text, Placeholders.ValuesFor(business, hours, new BusinessClock(hours), contactName.Name, clock.GetUtcNow()));
    }
}
