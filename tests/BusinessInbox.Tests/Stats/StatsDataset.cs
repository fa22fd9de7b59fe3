using BusinessInbox.AutoReplies;
using BusinessInbox.Data;
using BusinessInbox.Hours;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using BusinessInbox.Tests.WhatsApp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static BusinessInbox.Tests.WhatsApp.WhatsAppWorld;

namespace BusinessInbox.Tests.Stats;

/// <summary>
/// Two days of a WhatsApp shop in Berlin (open 09:00–17:00, an away message outside), built through the real webhook,
/// reply, auto-reply, outbox and status paths on a fake clock. Saturday 24 October 2026 is a normal day; Sunday the
/// 25th has 25 hours (clocks go back at 03:00 CEST), and the customer B writes twice at 02:30, once in each of them.
///
/// Customer A: 10:00 Sat writes; the owner replies at 10:10 (read, with duplicate and late statuses; billable "utility");
/// resolved at 10:20. Customer B (chat labelled VIP): 23:59 Sat writes (the away message goes out and is delivered),
/// writes again at 00:01, 02:30 CEST and 02:30 CET; the admin replies at 09:00 CET (it fails, twice reported) and
/// resolves at 10:00; B writes again at 11:00, reopening the chat, and gets no answer.
/// </summary>
public sealed class StatsDataset
{
    public required WhatsAppWorld World { get; init; }
    public required FakeTimeProvider Clock { get; init; }
    public required string AdminId { get; init; }
    public required string AdminEmail { get; init; }
    public required string AgentEmail { get; init; }
    public int ChatA { get; private set; }
    public int ChatB { get; private set; }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<StatsDataset> BuildAsync()
    {
        var clock = new FakeTimeProvider(Utc("2026-10-24T07:00:00"));
        var world = await WhatsAppWorld.StartAsync(clock);
        var adminEmail = "admin@wa-shop.test";
        var agentEmail = "agent@wa-shop.test";
        var data = new StatsDataset
        {
            World = world, Clock = clock, AdminEmail = adminEmail, AgentEmail = agentEmail,
            AdminId = await world.App.AddMemberAsync(world.Shop, adminEmail, MemberRole.Admin, "Ada Admin"),
        };
        await world.App.AddMemberAsync(world.Shop, agentEmail, MemberRole.Agent, "Aki Agent");
        await world.App.WithDbAsync(async db =>
        {
            var shop = await db.Businesses.SingleAsync(b => b.Id == world.Shop.Id);
            shop.Hours = new HoursSchedule(HoursMode.SelectedHours,
                Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => DayHours.Of(new TimeRange(new TimeOnly(9, 0), new TimeOnly(17, 0)))), []);
            shop.AutoReplies = AutoReplySettings.Off with { Away = new AwayMessage(true, "We are closed, back at 9.", AwaySchedule.OutsideOpeningHours) };
            await db.SaveChangesAsync();
        });
        await data.BuildAsync(world);
        return data;
    }

    private async Task BuildAsync(WhatsAppWorld world)
    {
        var shop = world.Shop;
        const string a = "4915100000001";
        const string b = "4915100000002";

        At("2026-10-24T08:00:00");
        ChatA = await CustomerAsync(a, "wamid.a1");
        At("2026-10-24T08:10:00");
        var r1 = await ReplyAsync(ChatA, shop.OwnerId);
        await StatusAsync(r1, "read", billable: true, category: "utility");
        await StatusAsync(r1, "delivered", billable: true, category: "utility");
        await StatusAsync(r1, "read", billable: true, category: "utility");
        await StatusAsync(r1, "sent", billable: true, category: "utility");
        At("2026-10-24T08:20:00");
        await ResolveAsync(ChatA, shop.OwnerId);

        At("2026-10-24T21:59:00");
        ChatB = await CustomerAsync(b, "wamid.b1");
        var away = await Eventually.ReturnsAsync(
            () => world.App.WithDbAsync(db => db.Messages.AsNoTracking().Where(m => m.Author == MessageAuthor.Automatic && m.ExternalId != null).ToListAsync()),
            l => l.Count == 1, "the away message to be sent");
        await StatusAsync(away[0].ExternalId!, "delivered");
        await world.App.WithDbAsync(async db =>
        {
            var label = new Label { BusinessId = shop.Id, Name = "VIP", NormalizedName = "VIP" };
            db.Labels.Add(label);
            await db.SaveChangesAsync();
            db.ChatLabels.Add(new ChatLabel { ChatId = ChatB, LabelId = label.Id });
            await db.SaveChangesAsync();
        });
        At("2026-10-24T22:01:00");
        await CustomerAsync(b, "wamid.b2");
        At("2026-10-25T00:30:00");
        await CustomerAsync(b, "wamid.b3");
        At("2026-10-25T01:30:00");
        await CustomerAsync(b, "wamid.b4");
        At("2026-10-25T08:00:00");
        var r2 = await ReplyAsync(ChatB, AdminId);
        object[] errors = [new { code = 131026, title = "Message undeliverable", message = "Message undeliverable" }];
        await StatusAsync(r2, "failed", errors: errors);
        await StatusAsync(r2, "failed", errors: errors);
        At("2026-10-25T09:00:00");
        await ResolveAsync(ChatB, AdminId);
        At("2026-10-25T10:00:00");
        await CustomerAsync(b, "wamid.b5");
        At("2026-10-25T11:00:00");
    }

    private void At(string utc) => Clock.SetUtcNow(Utc(utc));

    /// <summary>A customer's text through the signed webhook; waits until its automatic replies were sent.</summary>
    private async Task<int> CustomerAsync(string from, string wamid)
    {
        await World.PostOkAsync(CustomerText(wamid, "Hello from " + from, from, "Customer " + from[^1]));
        await Eventually.ReturnsAsync(() => World.App.WithDbAsync(db => db.Outbox.CountAsync()), n => n == 0, "the automatic replies to be sent");
        return await World.App.WithDbAsync(db => db.Messages.Where(m => m.ExternalId == wamid).Select(m => m.ChatId).SingleAsync());
    }

    /// <summary>A staff reply, sent through the outbox to the fake Graph API; returns its wamid.</summary>
    private async Task<string> ReplyAsync(int chatId, string userId)
    {
        var reply = await World.App.CommandAsync(c => c.ReplyAsync(World.Shop.Id, chatId, userId, "We will look into it.", privateNote: false, default));
        var sent = await Eventually.ReturnsAsync(() => World.MessageAsync(reply.Id), m => m.ExternalId is not null, "the reply to be sent");
        return sent.ExternalId!;
    }

    private Task ResolveAsync(int chatId, string userId) =>
        World.App.CommandAsync(c => c.SetStatusAsync(World.Shop.Id, chatId, userId, ChatStatus.Resolved, default));

    private Task StatusAsync(string wamid, string status, bool billable = false, string category = "service", object? errors = null) =>
        World.PostOkAsync(Payload(Entry(Statuses(new
        {
            id = wamid, status, timestamp = "1792843200", recipient_id = "4915100000000",
            pricing = new { billable, pricing_model = "PMP", category },
            errors,
        }))));
}
