using BusinessInbox.AutoReplies;
using BusinessInbox.Data;
using BusinessInbox.Hours;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using BusinessInbox.Workers;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.AutoReplies;

/// <summary>Auto-replies through the real path: the customer hub, the ingest transaction, the worker and the outbox.</summary>
public sealed class AutoReplyWorkerTests : IAsyncLifetime
{
    private const string Zone = "Europe/Berlin";
    private readonly FakeTimeProvider _time = new(Local("2026-06-15 22:00"));
    private readonly InboxApp _app;

    public AutoReplyWorkerTests() => _app = new InboxApp { Clock = _time };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static DateTimeOffset Local(string when)
    {
        var time = DateTime.Parse(when, System.Globalization.CultureInfo.InvariantCulture);
        return new DateTimeOffset(time, TimeZoneInfo.FindSystemTimeZoneById(Zone).GetUtcOffset(time));
    }

    private static readonly HoursSchedule NineToSix = new(HoursMode.SelectedHours,
        Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => DayHours.Of(new TimeRange(new TimeOnly(9, 0), new TimeOnly(18, 0)))), []);

    private static readonly AutoReplySettings Replies = new(
        new AwayMessage(true, "Sorry {contact.name}, {business.name} is closed. We open {business.next_open}.", AwaySchedule.OutsideOpeningHours),
        new GreetingMessage(true, "Welcome to {business.name}!"),
        [new KeywordRule(1, ["营业"], "营业时间：{business.hours_today}")]);

    private static async Task<TestBusiness> ShopAsync(InboxApp app)
    {
        var shop = await app.CreateBusinessAsync("night-owl", Zone, "Night Owl");
        await app.WithDbAsync(async db =>
        {
            var business = await db.Businesses.SingleAsync(b => b.Id == shop.Id);
            business.Hours = NineToSix;
            business.AutoReplies = Replies;
            await db.SaveChangesAsync();
        });
        return shop;
    }

    private static Task<List<string>> AutomaticRepliesAsync(InboxApp app) =>
        app.WithDbAsync(db => db.Messages.Where(m => m.Author == MessageAuthor.Automatic).OrderBy(m => m.Id).Select(m => m.Body).ToListAsync());

    /// <summary>Waits until no auto-reply work is pending and at least <paramref name="expected"/> replies exist.</summary>
    private static async Task<List<string>> AutomaticRepliesSettledAsync(InboxApp app, int expected)
    {
        var (replies, _) = await Eventually.ReturnsAsync(
            async () => (await AutomaticRepliesAsync(app), await app.WithDbAsync(db => db.AutoReplyJobs.AnyAsync())),
            r => r.Item1.Count >= expected && !r.Item2,
            $"{expected} automatic replies");
        return replies;
    }

    [Fact]
    public async Task A_first_message_at_night_gets_the_greeting_then_the_away_message_and_nothing_more_that_night()
    {
        var shop = await ShopAsync(_app);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);

        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "Hello?", "Lena");
        var replies = await AutomaticRepliesSettledAsync(_app, 2);
        replies.Should().Equal("Welcome to Night Owl!", "Sorry Lena, Night Owl is closed. We open Tue 09:00.");

        _time.Advance(TimeSpan.FromMinutes(5));
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m2", "Anyone?", null);
        await Eventually.ReturnsAsync(() => _app.WithDbAsync(db => db.AutoReplyJobs.AnyAsync()), pending => !pending, "the job to be processed");
        (await AutomaticRepliesAsync(_app)).Should().HaveCount(2, "the away message is sent once per closed period");
    }

    [Fact]
    public async Task Nothing_automatic_is_sent_right_after_staff_replied_and_the_away_message_returns_the_next_evening()
    {
        var shop = await ShopAsync(_app);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        var first = await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "Hello?", null);
        await AutomaticRepliesSettledAsync(_app, 2);
        var chatId = await _app.WithDbAsync(db => db.Messages.Where(m => m.Id == first.Id).Select(m => m.ChatId).SingleAsync());

        _time.Advance(TimeSpan.FromMinutes(6));
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ChatCommands>().ReplyAsync(shop.Id, chatId, shop.OwnerId, "I'm here late today.", false, default);
        }
        _time.Advance(TimeSpan.FromMinutes(1));
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m2", "Great, thanks", null);
        await Eventually.ReturnsAsync(() => _app.WithDbAsync(db => db.AutoReplyJobs.AnyAsync()), pending => !pending, "the job to be processed");
        (await AutomaticRepliesAsync(_app)).Should().HaveCount(2);

        _time.Advance(TimeSpan.FromDays(1));
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m3", "Me again", null);
        (await AutomaticRepliesSettledAsync(_app, 3))[2].Should().StartWith("Sorry");
    }

    [Fact]
    public async Task A_chinese_keyword_at_night_replaces_the_away_message()
    {
        var shop = await ShopAsync(_app);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "你好", null);
        await AutomaticRepliesSettledAsync(_app, 2);

        _time.Advance(TimeSpan.FromDays(1));
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m2", "明天营业吗？", null);

        (await AutomaticRepliesSettledAsync(_app, 3))[2].Should().Be("营业时间：09:00–18:00");
    }

    [Fact]
    public async Task After_fifteen_days_of_silence_the_greeting_is_sent_again()
    {
        var shop = await ShopAsync(_app);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "hi", null);
        await AutomaticRepliesSettledAsync(_app, 2);

        _time.Advance(TimeSpan.FromDays(15));
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m2", "hi again", null);

        var replies = await AutomaticRepliesSettledAsync(_app, 4);
        replies[2].Should().Be("Welcome to Night Owl!");
    }

    [Fact]
    public async Task Automatic_replies_go_through_the_outbox_and_reach_the_customer_marked_automatic()
    {
        var shop = await ShopAsync(_app);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        var received = new List<CustomerMessageView>();
        var two = new TaskCompletionSource();
        customer.Hub.On<CustomerMessageView>(nameof(ICustomerClient.Message), m =>
        {
            lock (received)
            {
                if (!m.Mine)
                {
                    received.Add(m);
                }
                if (received.Count == 2)
                {
                    two.TrySetResult();
                }
            }
        });

        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "Hello?", null);
        await two.Task.WaitAsync(TimeSpan.FromSeconds(10));

        received.Should().OnlyContain(m => m.Automatic && m.Status == MessageStatus.Sent);
    }

    [Fact]
    public async Task A_restart_between_the_message_and_the_worker_still_sends_each_reply_exactly_once()
    {
        TestBusiness shop;
        var dataPath = Path.Combine(Path.GetTempPath(), "bi-tests", Guid.NewGuid().ToString("n"));
        await using (var crashed = new InboxApp { Clock = _time }
            .WithSetting("Storage:DataPath", dataPath)
            .WithServices(s => s.Remove(s.Single(d => d.ImplementationType == typeof(AutoReplyWorker)))))
        {
            shop = await ShopAsync(crashed);
            await using var customer = await crashed.NewCustomerAsync(shop.Slug);
            await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "Hello?", null);
            (await crashed.WithDbAsync(db => db.AutoReplyJobs.CountAsync())).Should().Be(1);
        }

        await using var restarted = new InboxApp { Clock = _time }.WithSetting("Storage:DataPath", dataPath);
        _ = restarted.Services;
        var replies = await AutomaticRepliesSettledAsync(restarted, 2);

        replies.Should().HaveCount(2);
        (await restarted.WithDbAsync(db => db.Outbox.CountAsync())).Should().Be(0, "both replies were delivered");
    }
}
