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

/// <summary>Auto-replies through the real path: the customer hub, the ingest transaction that writes them, and the outbox.</summary>
public sealed class AutomaticReplyTests : IAsyncLifetime
{
    private const string Zone = "Europe/Berlin";
    private readonly FakeTimeProvider _time = new(Local("2026-06-15 22:00"));
    private readonly InboxApp _app;

    public AutomaticReplyTests() => _app = new InboxApp { Clock = _time };

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

    /// <summary>The automatic replies stored so far: written with the message they answer, they are there once its send returns.</summary>
    private static Task<List<string>> AutomaticRepliesAsync(InboxApp app) =>
        app.WithDbAsync(db => db.Messages.Where(m => m.Author == MessageAuthor.Automatic).OrderBy(m => m.Id).Select(m => m.Body).ToListAsync());

    [Fact]
    public async Task A_first_message_at_night_gets_the_greeting_then_the_away_message_and_nothing_more_that_night()
    {
        var shop = await ShopAsync(_app);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);

        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "Hello?", "Lena");
        var replies = await AutomaticRepliesAsync(_app);
        replies.Should().Equal("Welcome to Night Owl!", "Sorry Lena, Night Owl is closed. We open Tue 09:00.");

        _time.Advance(TimeSpan.FromMinutes(5));
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m2", "Anyone?", null);
        (await AutomaticRepliesAsync(_app)).Should().HaveCount(2, "the away message is sent once per closed period");
    }

    [Fact]
    public async Task A_message_and_the_automatic_replies_it_earned_reach_the_staff_screen_together_in_order()
    {
        var shop = await ShopAsync(_app);
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);

        var sent = await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "Hello?", "Lena");

        var push = await Eventually.ReturnsAsync(() => Task.FromResult(staff.AddedPushes.FirstOrDefault(p => p.Any(m => m.Id == sent.Id))),
            p => p is not null, "the customer's message on the staff screen");
        push!.Select(m => m.Body).Should().Equal("Hello?", "Welcome to Night Owl!", "Sorry Lena, Night Owl is closed. We open Tue 09:00.");
        staff.Added.Should().HaveCount(3, "each message is shown once");
    }

    [Fact]
    public async Task Nothing_automatic_is_sent_right_after_staff_replied_and_the_away_message_returns_the_next_evening()
    {
        var shop = await ShopAsync(_app);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        var first = await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "Hello?", null);
        (await AutomaticRepliesAsync(_app)).Should().HaveCount(2);
        var chatId = await _app.WithDbAsync(db => db.Messages.Where(m => m.Id == first.Id).Select(m => m.ChatId).SingleAsync());

        _time.Advance(TimeSpan.FromMinutes(6));
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ChatCommands>().ReplyAsync(shop.Id, chatId, shop.OwnerId, "I'm here late today.", false, default);
        }
        _time.Advance(TimeSpan.FromMinutes(1));
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m2", "Great, thanks", null);
        (await AutomaticRepliesAsync(_app)).Should().HaveCount(2);

        _time.Advance(TimeSpan.FromDays(1));
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m3", "Me again", null);
        (await AutomaticRepliesAsync(_app))[2].Should().StartWith("Sorry");
    }

    [Fact]
    public async Task A_chinese_keyword_at_night_replaces_the_away_message()
    {
        var shop = await ShopAsync(_app);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "你好", null);
        (await AutomaticRepliesAsync(_app)).Should().HaveCount(2);

        _time.Advance(TimeSpan.FromDays(1));
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m2", "明天营业吗？", null);

        (await AutomaticRepliesAsync(_app))[2].Should().Be("营业时间：09:00–18:00");
    }

    [Fact]
    public async Task After_fifteen_days_of_silence_the_greeting_is_sent_again()
    {
        var shop = await ShopAsync(_app);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "hi", null);
        (await AutomaticRepliesAsync(_app)).Should().HaveCount(2);

        _time.Advance(TimeSpan.FromDays(15));
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m2", "hi again", null);

        var replies = await AutomaticRepliesAsync(_app);
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
    public async Task Replies_stored_before_a_restart_are_sent_after_it_exactly_once()
    {
        TestBusiness shop;
        var dataPath = Path.Combine(Path.GetTempPath(), "bi-tests", Guid.NewGuid().ToString("n"));
        await using (var crashed = new InboxApp { Clock = _time }
            .WithSetting("Storage:DataPath", dataPath)
            .WithServices(s => s.Remove(s.Single(d => d.ImplementationType == typeof(OutboxDispatcher)))))
        {
            shop = await ShopAsync(crashed);
            await using var customer = await crashed.NewCustomerAsync(shop.Slug);
            await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "Hello?", null);
            (await AutomaticRepliesAsync(crashed)).Should().HaveCount(2, "the replies are stored with the message they answer");
            (await crashed.WithDbAsync(db => db.Outbox.CountAsync())).Should().Be(2);
        }

        await using var restarted = new InboxApp { Clock = _time }.WithSetting("Storage:DataPath", dataPath);
        _ = restarted.Services;
        await Eventually.ReturnsAsync(() => restarted.WithDbAsync(db => db.Outbox.CountAsync()), n => n == 0, "both replies to be delivered");

        var statuses = await restarted.WithDbAsync(db => db.Messages.Where(m => m.Author == MessageAuthor.Automatic).Select(m => m.Status).ToListAsync());
        statuses.Should().Equal(MessageStatus.Sent, MessageStatus.Sent);
    }
}
