using System.Text.Json;
using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

/// <summary>
/// The inbox search: contact name, phone, or any message text over all history, terms of any length in any script. Message
/// text is found through the full-text index (<see cref="MessageSearchIndex"/>), and what it finds is compared with the
/// term, so that a message matches exactly when its text has the term; see docs/decisions/0014-message-search.md for
/// the strategies and docs/decisions/0037-short-terms-over-all-history.md for terms of one or two characters.
/// </summary>
public static class MessageSearch
{
    /// <summary>Below this many hits in the index, the matching chats are looked up from the hits themselves.</summary>
    public const int RareHits = 5_000;

    public static async Task<IQueryable<Chat>> FilterAsync(
        InboxDb db, MessageSearchIndex index, int businessId, IQueryable<Chat> chats, string term, CancellationToken ct)
    {
        var pattern = "%" + EscapeLike(term) + "%";
        var hits = await index.FindAsync(term, RareHits, ct);
        if (hits is not null && hits.MessageIds.Count < RareHits)
        {
            // Few hits (a rare word, or none): their chats form a small set, found without reading any chat's messages.
            // Read first, so that the planner cannot turn it around into a walk over the business's messages. Messages the
            // index has not taken in yet, a fraction of a second's worth, are compared one by one, and so are the hits.
            var ids = JsonSerializer.Serialize(hits.MessageIds);
            var matching = await db.Database.SqlQuery<int>($"""
                    SELECT ChatId AS Value FROM Messages WHERE Id IN (SELECT value FROM json_each({ids})) AND BusinessId = {businessId} AND Body LIKE {pattern} ESCAPE '\'
                    UNION
                    SELECT ChatId FROM Messages WHERE Id > {hits.IndexedThrough} AND BusinessId = {businessId} AND Body LIKE {pattern} ESCAPE '\'
                    """)
                .ToListAsync(ct);
            // The contacts whose name or phone has the term, looked for once: compared chat by chat, a term found in few
            // places would still be compared with the contact of every chat on the way to the end of the list.
            var contacts = await db.Contacts
                .Where(c => c.BusinessId == businessId && (EF.Functions.Like(c.Name!, pattern, "\\") || EF.Functions.Like(c.Phone!, pattern, "\\")))
                .Select(c => c.Id).Take(RareHits + 1).ToListAsync(ct);
            return contacts.Count <= RareHits
                ? chats.Where(c => contacts.Contains(c.ContactId) || matching.Contains(c.Id))
                : chats.Where(c => EF.Functions.Like(c.Contact.Name!, pattern, "\\") || EF.Functions.Like(c.Contact.Phone!, pattern, "\\") || matching.Contains(c.Id));
        }
        // A common word: walking the chats newest first finds a page of matches after a few chats, sooner than
        // collecting every hit would. So does a term the index cannot tell about (punctuation only).
        return chats.Where(c =>
            EF.Functions.Like(c.Contact.Name!, pattern, "\\") ||
            EF.Functions.Like(c.Contact.Phone!, pattern, "\\") ||
            db.Messages.Any(m => m.ChatId == c.Id && EF.Functions.Like(m.Body, pattern, "\\")));
    }

    private static string EscapeLike(string s) => s.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
