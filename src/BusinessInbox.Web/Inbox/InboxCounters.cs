using BusinessInbox.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

/// <summary>
/// The counts on the inbox tabs, maintained as chats change rather than recounted:
/// each chat state maps to the set of tabs it belongs to, and a change applies the difference.
/// </summary>
public static class InboxCounters
{
    public const string All = "all";
    public const string Unread = "unread";
    public const string Unassigned = "unassigned";
    /// <summary>The key a member is shown their own count under.</summary>
    public const string MineKey = "mine";
    private const string MinePrefix = MineKey + ":";
    public static string Mine(string userId) => MinePrefix + userId;
    public static string Status(ChatStatus status) => "status:" + status.ToString().ToLowerInvariant();

    /// <summary>A chat as far as the counters care.</summary>
    public readonly record struct ChatState(ChatStatus Status, string? AssigneeId, bool Unread)
    {
        public static ChatState Of(Chat chat) => new(chat.Status, chat.AssigneeId, chat.UnreadCount > 0);
    }

    public static IEnumerable<string> KeysOf(ChatState state)
    {
        yield return All;
        yield return Status(state.Status);
        if (state.Unread)
        {
            yield return Unread;
        }
        if (state.Status != ChatStatus.Resolved)
        {
            yield return state.AssigneeId is null ? Unassigned : Mine(state.AssigneeId);
        }
    }

    /// <summary>
    /// Applies the change from <paramref name="before"/> (null for a new chat) to <paramref name="after"/>
    /// (null for a chat that is deleted); call inside the write's transaction.
    /// </summary>
    public static Task ApplyAsync(InboxDb db, int businessId, ChatState? before, ChatState? after, CancellationToken ct) =>
        ApplyAsync(db, [(businessId, before, after)], ct);

    /// <summary>Several chats' changes at once (a group of inbound messages): one statement per business and tab.</summary>
    public static async Task ApplyAsync(InboxDb db, IEnumerable<(int BusinessId, ChatState? Before, ChatState? After)> changes, CancellationToken ct)
    {
        foreach (var ((businessId, key), delta) in Deltas(changes))
        {
            await db.Database.ExecuteSqlRawAsync(AddSql,
                [new SqliteParameter("$business", businessId), new SqliteParameter("$key", key), new SqliteParameter("$delta", delta)], ct);
        }
    }

    /// <summary>Adds $delta to the count of tab $key of business $business.</summary>
    public const string AddSql =
        """
        INSERT INTO InboxCounters (BusinessId, Key, Count) VALUES ($business, $key, $delta)
        ON CONFLICT (BusinessId, Key) DO UPDATE SET Count = Count + excluded.Count
        """;

    /// <summary>What the changes add to each business's tabs, leaving out the tabs they do not change.</summary>
    public static Dictionary<(int BusinessId, string Key), int> Deltas(IEnumerable<(int BusinessId, ChatState? Before, ChatState? After)> changes)
    {
        var deltas = new Dictionary<(int BusinessId, string Key), int>();
        foreach (var (businessId, before, after) in changes)
        {
            if (before is { } b)
            {
                foreach (var key in KeysOf(b))
                {
                    deltas[(businessId, key)] = deltas.GetValueOrDefault((businessId, key)) - 1;
                }
            }
            if (after is { } a)
            {
                foreach (var key in KeysOf(a))
                {
                    deltas[(businessId, key)] = deltas.GetValueOrDefault((businessId, key)) + 1;
                }
            }
        }
        foreach (var unchanged in deltas.Where(d => d.Value == 0).Select(d => d.Key).ToList())
        {
            deltas.Remove(unchanged);
        }
        return deltas;
    }

    /// <summary>The counts as <paramref name="userId"/> sees them: their own "mine", nobody else's.</summary>
    public static async Task<Dictionary<string, int>> ReadAsync(InboxDb db, int businessId, string userId, CancellationToken ct) =>
        ForMember(await ReadAllAsync(db, businessId, ct), userId);

    public static Task<Dictionary<string, int>> ReadAllAsync(InboxDb db, int businessId, CancellationToken ct) =>
        db.InboxCounters.AsNoTracking().Where(c => c.BusinessId == businessId).ToDictionaryAsync(c => c.Key, c => c.Count, ct);

    public static Dictionary<string, int> ForMember(IReadOnlyDictionary<string, int> all, string userId)
    {
        var result = Shared(all);
        result[MineKey] = all.GetValueOrDefault(Mine(userId));
        return result;
    }

    /// <summary>The counts every member sees alike: all but the "mine" ones, each tab present.</summary>
    public static Dictionary<string, int> Shared(IReadOnlyDictionary<string, int> all)
    {
        var result = all.Where(c => !c.Key.StartsWith(MinePrefix, StringComparison.Ordinal)).ToDictionary();
        foreach (var key in new[] { All, Unread, Unassigned, Status(ChatStatus.Open), Status(ChatStatus.Pending), Status(ChatStatus.Resolved) })
        {
            result.TryAdd(key, 0);
        }
        return result;
    }

    /// <summary>The members whose "mine" count is among <paramref name="keys"/>.</summary>
    public static IReadOnlyList<string> MineOf(IEnumerable<string> keys) =>
        keys.Where(k => k.StartsWith(MinePrefix, StringComparison.Ordinal)).Select(k => k[MinePrefix.Length..]).ToList();
}
