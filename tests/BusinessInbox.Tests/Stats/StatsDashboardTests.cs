using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Security;
using BusinessInbox.Stats;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BusinessInbox.Tests.Stats;

/// <summary>The dashboard against <see cref="StatsDataset"/>, whose every figure is worked out by hand in the comments below.</summary>
public sealed partial class StatsDashboardTests : IAsyncLifetime
{
    private StatsDataset _data = null!;

    public async Task InitializeAsync() => _data = await StatsDataset.BuildAsync();

    public async Task DisposeAsync() => await _data.World.DisposeAsync();

    private async Task<HttpClient> ApiClientAsync()
    {
        var token = await _data.World.App.WithDbAsync(db => ApiTokens.CreateAsync(db, _data.World.Shop.Id, "Stats", DateTimeOffset.UnixEpoch, default));
        var client = _data.World.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<StatsReport> WeekendAsync(string query = "from=2026-10-24&to=2026-10-25")
    {
        using var client = await ApiClientAsync();
        var response = await client.GetAsync("/api/v1/stats?" + query);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<StatsReport>())!;
    }

    [Fact]
    public async Task The_API_returns_exactly_the_figures_of_the_known_weekend()
    {
        var report = await WeekendAsync();

        (report.From, report.To, report.PreviousFrom, report.PreviousTo).Should().Be(
            (new DateOnly(2026, 10, 24), new DateOnly(2026, 10, 25), new DateOnly(2026, 10, 22), new DateOnly(2026, 10, 23)));
        // Six customer messages; two replies by people, one away message; the owner's reply read (statuses repeated and
        // out of order count once), the away message delivered, the admin's reply failed (reported twice).
        report.Figures.Should().BeEquivalentTo(new
        {
            Received = 6, SentByStaff = 2, SentAutomatic = 1, Delivered = 2, Read = 1, Failed = 1, ReadRate = 0.5,
            NewContacts = 2, EpisodesOpened = 3, EpisodesResolved = 2, EpisodesReopened = 1,
            // A answered after 10 min (all in opening hours), B after 10 h 1 min (none of it in opening hours); nearest rank.
            FirstResponse = new { Median = 600L, P90 = 36060L, MedianOpenHours = 0L, P90OpenHours = 600L, Count = 2 },
            // A resolved after 20 min; B after 11 h 1 min, of which the hour 09:00–10:00 was open.
            Resolution = new { Median = 1200L, P90 = 39660L, MedianOpenHours = 1200L, P90OpenHours = 3600L, Count = 2 },
        });
        report.Previous.Should().BeEquivalentTo(new { Received = 0, SentByStaff = 0, EpisodesOpened = 0, ReadRate = (double?)null });

        var sunday = await WeekendAsync("from=2026-10-25&to=2026-10-25");
        sunday.Figures.Should().BeEquivalentTo(new { Received = 4, SentByStaff = 1, SentAutomatic = 0, Failed = 1, EpisodesOpened = 1, EpisodesReopened = 1 });
        sunday.Previous.Should().BeEquivalentTo(new { Received = 2, SentByStaff = 1, SentAutomatic = 1, Delivered = 2, Read = 1, ReadRate = 0.5, NewContacts = 2, EpisodesOpened = 2 });
    }

    [Fact]
    public async Task Days_are_local_days_so_the_25_hour_Sunday_and_the_messages_around_midnight_land_on_the_right_day()
    {
        var report = await WeekendAsync();

        report.Days.Should().BeEquivalentTo(new[]
        {
            new StatsDayRow(new DateOnly(2026, 10, 24), 2, 1, 1, 2, 1, 0, 2, 2, 1, 600),
            new StatsDayRow(new DateOnly(2026, 10, 25), 4, 1, 0, 0, 0, 1, 0, 1, 1, null),
        });
        // Saturday 10:00 and 23:59; Sunday 00:01, twice 02:30 (before and after the clocks went back), and 11:00.
        var cells = report.Heatmap.SelectMany((hours, day) => hours.Select((n, hour) => (day, hour, n))).Where(c => c.n > 0);
        cells.Should().BeEquivalentTo(new[] { (5, 10, 1), (5, 23, 1), (6, 0, 1), (6, 2, 2), (6, 11, 1) });
    }

    [Fact]
    public async Task Agents_labels_and_billable_messages_are_broken_down()
    {
        var report = await WeekendAsync();

        report.Agents.Select(a => (a.Name, a.Replies, a.Resolved, a.MedianFirstResponse)).Should().BeEquivalentTo(new (string, int, int, long?)[]
        {
            ("Owner of wa-shop", 1, 1, 600), ("Ada Admin", 1, 1, 36060), ("Aki Agent", 0, 0, null),
        });
        report.Labels.Should().Equal(new LabelRow("VIP", 2, 1, 36060));
        report.Pricing.Should().Equal(new PricingRow("utility", 1));
    }

    [Fact]
    public async Task Erasing_a_contact_leaves_past_figures_as_they_were()
    {
        var before = await WeekendAsync();
        var contactId = await _data.World.App.WithDbAsync(db => db.Chats.Where(c => c.Id == _data.ChatA).Select(c => c.ContactId).SingleAsync());
        await using (var scope = _data.World.App.Services.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<ContactCommands>().EraseAsync(_data.World.Shop.Id, contactId, default)).Should().BeTrue();
        }

        var after = await WeekendAsync();

        after.Should().BeEquivalentTo(before);
        (await _data.World.App.WithDbAsync(db => db.Messages.CountAsync(m => m.ChatId == _data.ChatA))).Should().Be(0);
    }

    [Fact]
    public async Task The_page_shows_the_same_figures_and_the_CSV_files_hold_them_too()
    {
        var admin = await _data.World.App.SignInAsync(_data.AdminEmail);
        const string query = "range=custom&from=2026-10-24&to=2026-10-25";

        var html = await admin.Client.GetStringAsync("/stats?" + query);

        var shown = FigureCells().Matches(html).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
        shown.Should().Contain(new Dictionary<string, string>
        {
            ["received"] = "6", ["sent_by_staff"] = "2", ["sent_automatically"] = "1", ["delivered"] = "2", ["read"] = "1",
            ["failed"] = "1", ["read_rate"] = "50.0%", ["new_contacts"] = "2", ["episodes_opened"] = "3", ["episodes_resolved"] = "2",
            ["episodes_reopened"] = "1", ["first_response_median"] = "10 min 0 s", ["first_response_p90"] = "10 h 1 min",
            ["first_response_open_median"] = "0 s", ["resolution_p90"] = "11 h 1 min", ["resolution_open_p90"] = "1 h 0 min",
        });
        html.Should().Contain("Read messages as a share of delivered ones.", "every figure says what it counts");

        var figures = await CsvAsync(admin.Client, "/stats?handler=Csv&file=figures&" + query);
        figures.Should().Contain(["received,6,0", "read_rate,0.5,", "first_response_p90,36060,", "billable messages: utility,1,"]);
        var days = await CsvAsync(admin.Client, "/stats?handler=Csv&file=days&" + query);
        days.Should().Equal(
            "date,received,sent_by_staff,sent_automatically,delivered,read,failed,new_contacts,episodes_opened,episodes_resolved,median_first_response_seconds",
            "2026-10-24,2,1,1,2,1,0,2,2,1,600",
            "2026-10-25,4,1,0,0,0,1,0,1,1,");
    }

    [Fact]
    public async Task The_presets_are_local_days_up_to_today_and_this_month_compares_with_the_same_days_of_last_month()
    {
        var admin = await _data.World.App.SignInAsync(_data.AdminEmail);

        var week = await admin.Client.GetStringAsync("/stats?range=7d");
        week.Should().Contain("value=\"2026-10-19\"").And.Contain("value=\"2026-10-25\"");
        FigureCells().Matches(week).Single(m => m.Groups[1].Value == "received").Groups[2].Value.Trim().Should().Be("6");

        StatsPeriod.Preset("month", new DateOnly(2026, 10, 25)).Should().Be(
            new StatsPeriod(new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 25), new DateOnly(2026, 9, 1), new DateOnly(2026, 9, 25)));
        StatsPeriod.Preset("month", new DateOnly(2026, 3, 31))!.PreviousTo.Should().Be(new DateOnly(2026, 2, 28));
        StatsPeriod.Preset("yesterday", new DateOnly(2026, 10, 25)).Should().Be(
            new StatsPeriod(new DateOnly(2026, 10, 24), new DateOnly(2026, 10, 24), new DateOnly(2026, 10, 23), new DateOnly(2026, 10, 23)));
    }

    [Fact]
    public async Task An_agent_gets_403_on_the_page_and_the_API_and_no_link_to_it()
    {
        var agent = await _data.World.App.SignInAsync(_data.AgentEmail);

        (await agent.Client.GetAsync("/stats")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await agent.Client.GetAsync("/api/v1/stats?from=2026-10-24&to=2026-10-25")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await agent.Client.GetStringAsync("/inbox")).Should().NotContain("href=\"/stats\"");

        var admin = await _data.World.App.SignInAsync(_data.AdminEmail);
        (await admin.Client.GetStringAsync("/inbox")).Should().Contain("href=\"/stats\"");
        (await admin.Client.GetAsync("/api/v1/stats?from=2026-10-24&to=2026-10-25")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("from=2026-10-25&to=2026-10-24", "to")]
    [InlineData("from=2025-01-01&to=2026-01-02", "to")]
    [InlineData("from=24.10.2026&to=2026-10-25", "from")]
    [InlineData("from=2026-10-24", "to")]
    public async Task Bad_dates_are_refused_with_problem_details_naming_the_parameter(string query, string parameter)
    {
        using var client = await ApiClientAsync();

        var response = await client.GetAsync("/api/v1/stats?" + query);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        problem.GetProperty("errors").TryGetProperty(parameter, out _).Should().BeTrue();
    }

    [Fact]
    public async Task Another_business_sees_none_of_these_figures()
    {
        var other = await _data.World.App.CreateBusinessAsync("other-shop");
        var token = await _data.World.App.WithDbAsync(db => ApiTokens.CreateAsync(db, other.Id, "Stats", DateTimeOffset.UnixEpoch, default));
        using var client = _data.World.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var report = (await client.GetFromJsonAsync<StatsReport>("/api/v1/stats?from=2026-10-24&to=2026-10-25"))!;

        report.Figures.Should().BeEquivalentTo(new { Received = 0, SentByStaff = 0, EpisodesOpened = 0 });
        report.Agents.Select(a => a.Name).Should().Equal("Owner of other-shop");
    }

    /// <summary>The rows of a downloaded CSV file, each as its cells joined by commas.</summary>
    private static async Task<List<string>> CsvAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        return Csv.Parse(Csv.Decode(await response.Content.ReadAsByteArrayAsync())).Select(row => string.Join(',', row)).ToList();
    }

    [GeneratedRegex("""<tr data-figure="([a-z_0-9]+)">.*?<td class="text-end" data-value>([^<]*)</td>""", RegexOptions.Singleline)]
    private static partial Regex FigureCells();
}
