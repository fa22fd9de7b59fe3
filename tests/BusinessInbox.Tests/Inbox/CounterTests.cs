using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.Inbox;

public sealed class CounterTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Tab_counts_always_equal_a_recount_after_a_random_sequence_of_events()
    {
        var shop = await _app.CreateBusinessAsync("counted");
        var other = await _app.CreateBusinessAsync("neighbour");
        var members = new List<string?> { shop.OwnerId, null };
        members.Add(await _app.AddMemberAsync(shop, "kai@counted.test", MemberRole.Agent, "Kai"));
        members.Add(await _app.AddMemberAsync(shop, "noor@counted.test", MemberRole.Admin, "Noor"));
        await _app.CustomerWritesAsync(other.Id, "elsewhere", "A chat in another business must not be counted here");

        var random = new Random(20261125);
        var visitors = new List<string>();
        var chats = new List<int>();
        var log = new List<string>();
        for (var step = 0; step < 150; step++)
        {
            var action = chats.Count == 0 ? 0 : random.Next(7);
            var chatId = chats.Count == 0 ? 0 : chats[random.Next(chats.Count)];
            switch (action)
            {
                case 0:
                    var visitor = "visitor-" + visitors.Count;
                    visitors.Add(visitor);
                    chats.Add((await _app.CustomerWritesAsync(shop.Id, visitor, "Hello from " + visitor)).ChatId);
                    log.Add("new customer writes");
                    break;
                case 1:
                    // Writing again reopens a resolved chat.
                    await _app.CustomerWritesAsync(shop.Id, visitors[random.Next(visitors.Count)], "Me again");
                    log.Add("customer writes again");
                    break;
                case 2:
                    await _app.CommandAsync(c => c.ReplyAsync(shop.Id, chatId, shop.OwnerId, "A reply", privateNote: random.Next(4) == 0, default));
                    log.Add($"reply in {chatId}");
                    break;
                case 3:
                    await _app.CommandAsync(c => c.MarkReadAsync(shop.Id, chatId, default));
                    log.Add($"read {chatId}");
                    break;
                case 4:
                case 5:
                    var assignee = members[random.Next(members.Count)];
                    await _app.CommandAsync(c => c.AssignAsync(shop.Id, chatId, shop.OwnerId, assignee, default));
                    log.Add($"assign {chatId} to {assignee ?? "nobody"}");
                    break;
                default:
                    var status = (ChatStatus)random.Next(3);
                    await _app.CommandAsync(c => c.SetStatusAsync(shop.Id, chatId, shop.OwnerId, status, default));
                    log.Add($"{chatId} becomes {status}");
                    break;
            }

            foreach (var member in members.OfType<string>())
            {
                var (maintained, recount) = await _app.WithDbAsync(async db =>
                    (await InboxCounters.ReadAsync(db, shop.Id, member, default), await RecountAsync(db, shop.Id, member)));
                maintained.Should().Equal(recount, "after step {0} ({1}) as seen by {2}", step, string.Join(", ", log.TakeLast(3)), member);
            }
        }
        log.Should().Contain(l => l.StartsWith("customer writes again", StringComparison.Ordinal))
            .And.Contain(l => l.EndsWith("Resolved", StringComparison.Ordinal));
    }

    private static async Task<Dictionary<string, int>> RecountAsync(InboxDb db, int businessId, string userId)
    {
        var chats = await db.Chats.AsNoTracking().Where(c => c.BusinessId == businessId)
            .Select(c => new { c.Status, c.AssigneeId, c.UnreadCount }).ToListAsync();
        return new Dictionary<string, int>
        {
            ["all"] = chats.Count,
            ["unread"] = chats.Count(c => c.UnreadCount > 0),
            ["unassigned"] = chats.Count(c => c.AssigneeId == null && c.Status != ChatStatus.Resolved),
            ["mine"] = chats.Count(c => c.AssigneeId == userId && c.Status != ChatStatus.Resolved),
            ["status:open"] = chats.Count(c => c.Status == ChatStatus.Open),
            ["status:pending"] = chats.Count(c => c.Status == ChatStatus.Pending),
            ["status:resolved"] = chats.Count(c => c.Status == ChatStatus.Resolved),
        };
    }
}
