using System.Net;
using BusinessInbox.AutoReplies;
using BusinessInbox.Data;
using BusinessInbox.Hours;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.Settings;

public sealed class HoursAndAutoRepliesPagesTests : IAsyncLifetime
{
    // Monday 15 June 2026, 20:00 in Berlin.
    private readonly InboxApp _app = new() { Clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 15, 18, 0, 0, TimeSpan.Zero)) };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static Dictionary<string, string> HoursForm(string token, string zone, string weekdayRanges, string mode = "SelectedHours")
    {
        var form = new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["TimeZone"] = zone, ["Mode"] = mode };
        var days = new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday };
        for (var i = 0; i < days.Length; i++)
        {
            form[$"Days[{i}].Day"] = days[i].ToString();
            form[$"Days[{i}].State"] = i < 5 ? "Hours" : "Closed";
            form[$"Days[{i}].Ranges"] = i < 5 ? weekdayRanges : "";
        }
        return form;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, Func<string, Dictionary<string, string>> form)
    {
        var token = InboxApp.AntiforgeryToken(await client.GetStringAsync(path));
        return await client.PostAsync(path, new FormUrlEncodedContent(form(token)));
    }

    [Fact]
    public async Task Saving_new_hours_changes_the_open_line_on_the_customer_page()
    {
        var shop = await _app.CreateBusinessAsync("late-shop", "Europe/Berlin");
        var owner = await _app.SignInAsync(shop.OwnerEmail);
        using var customer = _app.CreateClient();
        (await customer.GetStringAsync("/c/late-shop")).Should().Contain("Open 24 hours");

        var saved = await PostAsync(owner.Client, "/settings/hours", t => HoursForm(t, "Europe/Berlin", "09:00–18:00"));
        saved.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await owner.Client.GetStringAsync("/settings/hours")).Should().Contain("Opening hours saved.");
        (await customer.GetStringAsync("/c/late-shop")).Should().Contain("Closed · opens Tue 09:00");

        await PostAsync(owner.Client, "/settings/hours", t => HoursForm(t, "Europe/Berlin", "09:00–12:00, 18:00–02:00"));
        (await customer.GetStringAsync("/c/late-shop")).Should().Contain("Open now · closes Tue 02:00");
    }

    [Theory]
    [InlineData("09:00–13:00, 12:00–18:00", "Europe/Berlin", "Monday: 09:00–13:00 overlaps 12:00–18:00.")]
    [InlineData("09:00–09:00", "Europe/Berlin", "Monday: the range 09:00–09:00 ends when it starts.")]
    [InlineData("nine to five", "Europe/Berlin", "is not a range; write it like 09:00–18:00.")]
    [InlineData("09:00–18:00", "Europe/Atlantis", "\"Europe/Atlantis\" is not a known time zone")]
    public async Task Bad_hours_are_refused_with_a_message_naming_the_problem_and_nothing_is_saved(string ranges, string zone, string message)
    {
        var shop = await _app.CreateBusinessAsync("careful", "Europe/Berlin");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var response = await PostAsync(owner.Client, "/settings/hours", t => HoursForm(t, zone, ranges));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()).Should().Contain(message);
        var stored = await _app.WithDbAsync(db => db.Businesses.SingleAsync(b => b.Id == shop.Id));
        stored.Hours.Mode.Should().Be(HoursMode.AlwaysOpen);
        stored.TimeZone.Should().Be("Europe/Berlin");
    }

    [Fact]
    public async Task An_unknown_placeholder_in_an_auto_reply_is_refused_with_the_valid_ones_listed()
    {
        var shop = await _app.CreateBusinessAsync("greeter");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var response = await PostAsync(owner.Client, "/settings/auto-replies", t => new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = t,
            ["GreetingEnabled"] = "true",
            ["GreetingText"] = "Hi {customer.name}!",
            ["SilenceDays"] = "14",
            ["StaffQuietMinutes"] = "10",
            ["Recipients"] = "Everyone",
            ["AwaySchedule"] = "OutsideOpeningHours",
        });

        WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync())
            .Should().Contain("Unknown placeholder {customer.name}. You can use {contact.name}, {business.name}, {business.hours_today}, {business.next_open}.");
        (await _app.WithDbAsync(db => db.Businesses.SingleAsync(b => b.Id == shop.Id))).AutoReplies.Greeting.Enabled.Should().BeFalse();
    }

    [Fact]
    public async Task The_owner_saves_an_away_message_a_greeting_and_ordered_keyword_rules()
    {
        var shop = await _app.CreateBusinessAsync("rules");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        await PostAsync(owner.Client, "/settings/auto-replies", t => new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = t,
            ["AwayEnabled"] = "true",
            ["AwayText"] = "We are closed, {contact.name}. Back {business.next_open}.",
            ["AwaySchedule"] = "OutsideOpeningHours",
            ["GreetingEnabled"] = "true",
            ["GreetingText"] = "Welcome to {business.name}",
            ["SilenceDays"] = "14",
            ["StaffQuietMinutes"] = "10",
            ["Recipients"] = "Everyone",
            ["Rules[0].Keywords"] = "营业, hours",
            ["Rules[0].Reply"] = "{business.hours_today}",
            ["Rules[0].Activity"] = "Always",
            ["Rules[1].Keywords"] = "price",
            ["Rules[1].Reply"] = "See our price list.",
            ["Rules[1].Activity"] = "WhenOpen",
        });
        var token = InboxApp.AntiforgeryToken(await owner.Client.GetStringAsync("/settings/auto-replies"));
        await owner.Client.PostAsync("/settings/auto-replies?handler=Move&index=1&by=-1",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        var settings = (await _app.WithDbAsync(db => db.Businesses.SingleAsync(b => b.Id == shop.Id))).AutoReplies;
        settings.Away.Enabled.Should().BeTrue();
        settings.Greeting.Text.Should().Be("Welcome to {business.name}");
        settings.KeywordRules.Select(r => r.Reply).Should().Equal("See our price list.", "{business.hours_today}");
        settings.KeywordRules[1].Keywords.Should().Equal("营业", "hours");
        settings.KeywordRules[0].Activity.Should().Be(KeywordActivity.WhenOpen);
    }

    [Theory]
    [InlineData("/settings/hours")]
    [InlineData("/settings/auto-replies")]
    public async Task An_agent_is_refused_the_owner_settings(string path)
    {
        var shop = await _app.CreateBusinessAsync("staffed");
        await _app.AddMemberAsync(shop, "agent@staffed.test", MemberRole.Agent);
        var agent = await _app.SignInAsync("agent@staffed.test");

        (await agent.Client.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await agent.Client.GetStringAsync("/inbox")).Should().NotContain(path);
    }
}
