using System.Globalization;
using System.Text;
using BusinessInbox.Data;
using BusinessInbox.Labels;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Contacts;

public enum ContactSort
{
    Name,
    LastMessage,
    Created,
}

/// <param name="Label">Only contacts with a chat carrying this label; null for every contact.</param>
public sealed record ContactFilter(string? Search = null, ContactSort Sort = ContactSort.Name, string? Cursor = null, int Limit = 50, int? Label = null);

public sealed record ContactRow(int Id, string? Name, string? Phone, string? Email, bool IsBlocked, DateTimeOffset CreatedAt, DateTimeOffset? LastMessageAt)
{
    /// <summary>The labels on the contact's chats: one continuous chat per channel, so they are the contact's labels there.</summary>
    public IReadOnlyList<LabelView> Labels { get; init; } = [];
}

public sealed record ContactPage(IReadOnlyList<ContactRow> Contacts, string? NextCursor);

/// <summary>The contacts directory's list: search, three sort orders and keyset pages, always inside one business.</summary>
public static class ContactQueries
{
    /// <summary>SQLite's case-insensitive collation (ASCII letters), so "anna" sorts with "Anna".</summary>
    private const string NoCase = "NOCASE";

    public static IQueryable<Contact> Filtered(InboxDb db, int businessId, string? search, int? label = null)
    {
        var contacts = db.Contacts.AsNoTracking().Where(c => c.BusinessId == businessId);
        if (label is { } labelId)
        {
            contacts = contacts.Where(c => db.Chats.Any(ch => ch.ContactId == c.Id && ch.Labels.Any(l => l.LabelId == labelId)));
        }
        if (!string.IsNullOrWhiteSpace(search))
        {
            // SQLite's LIKE ignores case (for ASCII letters), which is what people expect of a search box.
            var pattern = "%" + EscapeLike(search.Trim()) + "%";
            var digits = new string(search.Where(char.IsAsciiDigit).ToArray());
            var phonePattern = digits.Length >= 3 ? "%" + digits + "%" : pattern;
            contacts = contacts.Where(c =>
                EF.Functions.Like(c.Name!, pattern, "\\") ||
                EF.Functions.Like(c.Phone!, phonePattern, "\\") ||
                EF.Functions.Like(c.Email!, pattern, "\\"));
        }
        return contacts;
    }

    public static async Task<ContactPage> ListAsync(InboxDb db, int businessId, ContactFilter filter, CancellationToken ct)
    {
        var limit = Math.Clamp(filter.Limit, 1, 200);
        var contacts = Filtered(db, businessId, filter.Search, filter.Label);
        var cursor = Cursor.Parse(filter.Cursor);
        IQueryable<Contact> ordered;
        switch (filter.Sort)
        {
            case ContactSort.LastMessage:
                if (cursor is { } lm)
                {
                    // Descending; contacts who never wrote (NULL) come last, as SQLite sorts NULL lowest.
                    contacts = lm.Ticks is { } t
                        ? contacts.Where(c => c.LastMessageAt < new DateTimeOffset(t, TimeSpan.Zero)
                            || (c.LastMessageAt == new DateTimeOffset(t, TimeSpan.Zero) && c.Id < lm.Id) || c.LastMessageAt == null)
                        : contacts.Where(c => c.LastMessageAt == null && c.Id < lm.Id);
                }
                ordered = contacts.OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id);
                break;
            case ContactSort.Created:
                if (cursor is { Ticks: { } ct0 } cr)
                {
                    var at = new DateTimeOffset(ct0, TimeSpan.Zero);
                    contacts = contacts.Where(c => c.CreatedAt < at || (c.CreatedAt == at && c.Id < cr.Id));
                }
                ordered = contacts.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id);
                break;
            default:
                if (cursor is { } n)
                {
                    // Ascending by name regardless of case, contacts without a name last.
                    contacts = n.Text is { } name
                        ? contacts.Where(c => (c.Name != null && (EF.Functions.Collate(c.Name, NoCase).CompareTo(name) > 0
                            || (EF.Functions.Collate(c.Name, NoCase) == name && c.Id > n.Id))) || c.Name == null)
                        : contacts.Where(c => c.Name == null && c.Id > n.Id);
                }
                ordered = contacts.OrderBy(c => c.Name == null).ThenBy(c => EF.Functions.Collate(c.Name!, NoCase)).ThenBy(c => c.Id);
                break;
        }
        var rows = await ordered.Take(limit + 1)
            .Select(c => new ContactRow(c.Id, c.Name, c.Phone, c.Email, c.IsBlocked, c.CreatedAt, c.LastMessageAt))
            .ToListAsync(ct);
        string? next = null;
        var more = rows.Count > limit;
        if (more)
        {
            rows.RemoveAt(limit);
        }
        var labels = await LabelsOfAsync(db, businessId, [.. rows.Select(r => r.Id)], ct);
        rows = [.. rows.Select(r => labels.TryGetValue(r.Id, out var l) ? r with { Labels = l } : r)];
        if (more)
        {
            var last = rows[^1];
            next = filter.Sort switch
            {
                ContactSort.LastMessage => new Cursor(last.LastMessageAt?.UtcTicks, null, last.Id).ToString(),
                ContactSort.Created => new Cursor(last.CreatedAt.UtcTicks, null, last.Id).ToString(),
                _ => new Cursor(null, last.Name, last.Id).ToString(),
            };
        }
        return new ContactPage(rows, next);
    }

    /// <summary>Each contact's labels (over all their chats, each label once, by name).</summary>
    public static async Task<Dictionary<int, IReadOnlyList<LabelView>>> LabelsOfAsync(InboxDb db, int businessId, IReadOnlyCollection<int> contactIds, CancellationToken ct)
    {
        if (contactIds.Count == 0)
        {
            return [];
        }
        var rows = await db.ChatLabels.AsNoTracking()
            .Join(db.Chats.Where(ch => ch.BusinessId == businessId && contactIds.Contains(ch.ContactId)), cl => cl.ChatId, ch => ch.Id,
                (cl, ch) => new { ch.ContactId, cl.Label.Id, cl.Label.Name, cl.Label.Color })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.ContactId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<LabelView>)[.. g.DistinctBy(r => r.Id).OrderBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase).Select(r => new LabelView(r.Id, r.Name, r.Color))]);
    }

    private static string EscapeLike(string s) => s.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    /// <summary>Where the previous page ended: a sort key (instant or lower-cased name) and the id.</summary>
    private sealed record Cursor(long? Ticks, string? Text, int Id)
    {
        public override string ToString()
        {
            var key = Ticks is { } t ? "t" + t.ToString(CultureInfo.InvariantCulture) : Text is { } s ? "s" + s : "n";
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(key + "\n" + Id.ToString(CultureInfo.InvariantCulture)))
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        public static Cursor? Parse(string? cursor)
        {
            if (string.IsNullOrEmpty(cursor))
            {
                return null;
            }
            try
            {
                var base64 = cursor.Replace('-', '+').Replace('_', '/');
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
                var split = text.LastIndexOf('\n');
                var key = text[..split];
                var id = int.Parse(text[(split + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
                return key[0] switch
                {
                    't' => new Cursor(long.Parse(key[1..], NumberStyles.None, CultureInfo.InvariantCulture), null, id),
                    's' => new Cursor(null, key[1..], id),
                    'n' => new Cursor(null, null, id),
                    _ => throw new FormatException(),
                };
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or IndexOutOfRangeException)
            {
                return null;
            }
        }
    }
}
