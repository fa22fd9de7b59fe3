using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace BusinessInbox.Tests.Operations;

public sealed class LoggingTests : IAsyncLifetime
{
    private readonly CapturedLog _log = new();
    private readonly InboxApp _app;

    public LoggingTests() => _app = new InboxApp().WithServices(s => s.AddSingleton<ILogEventSink>(_log));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Message_bodies_passwords_and_tokens_never_reach_the_log()
    {
        const string customerText = "SENTINEL-customer-7f3a";
        const string customerName = "SENTINEL-name-51c0";
        const string prefill = "SENTINEL-prefill-9d2e";
        const string staffText = "SENTINEL-staff-c41b";
        const string apiText = "SENTINEL-api-0b6e";
        const string password = "SENTINEL-password-e88d";
        const string badToken = "bi_SENTINELtokenThatDoesNotExist12345";
        var shop = await _app.CreateBusinessAsync("logged");

        // A customer writes (with a pre-filled link), staff answer, someone guesses a password, an integration calls the API.
        using var page = _app.CreateClient();
        (await page.GetAsync($"/c/{shop.Slug}?text={prefill}")).EnsureSuccessStatusCode();
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        var sent = await customer.Hub.InvokeAsync<BusinessInbox.Inbox.CustomerMessageView>("Send", "s1", customerText, customerName);
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        var chatId = await _app.WithDbAsync(db => Task.FromResult(db.Messages.Single(m => m.Id == sent.Id).ChatId));
        await staff.Hub.InvokeAsync<BusinessInbox.Inbox.MessageView>("Send", chatId, staffText);

        using var login = _app.CreateClient();
        var form = await login.GetStringAsync("/account/login");
        await login.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = shop.OwnerEmail, ["Input.Password"] = password, ["__RequestVerificationToken"] = InboxApp.AntiforgeryToken(form),
        }));

        using var api = await BusinessInbox.Tests.Api.ApiTests.ApiClientAsync(_app, shop.Id);
        var goodToken = api.DefaultRequestHeaders.Authorization!.Parameter!;
        (await api.PostAsJsonAsync($"/api/v1/conversations/{chatId}/messages", new { text = apiText })).EnsureSuccessStatusCode();
        using var guesser = _app.CreateClient();
        guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", badToken);
        await guesser.GetAsync("/api/v1/conversations");

        await Eventually.ReturnsAsync(() => Task.FromResult(_log.Events.Any(e => e.Properties.TryGetValue("RequestPath", out var p) && p.ToString().Contains("/api/v1/conversations", StringComparison.Ordinal))),
            seen => seen, "the request log to record the API calls");
        var text = _log.Events.Select(Render).ToList();
        text.Should().Contain(t => t.Contains("/account/login", StringComparison.Ordinal), "requests are logged, so the search below means something");
        foreach (var sentinel in new[] { customerText, customerName, prefill, staffText, apiText, password, badToken, goodToken })
        {
            text.Should().NotContain(t => t.Contains(sentinel, StringComparison.Ordinal), "{0} must not be logged", sentinel);
        }
    }

    [Fact]
    public async Task Replies_sent_through_WhatsApp_leave_no_routine_line_per_call_to_the_Graph_API()
    {
        await using var world = await BusinessInbox.Tests.WhatsApp.WhatsAppWorld.StartAsync(services: s => s.AddSingleton<ILogEventSink>(_log));
        await world.PostOkAsync(BusinessInbox.Tests.WhatsApp.WhatsAppWorld.CustomerText("wamid.logged", "Is the shop open?"));
        var chatId = (await world.MessagesAsync()).Single().ChatId;
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);

        var reply = await staff.Hub.InvokeAsync<BusinessInbox.Inbox.MessageView>("Send", chatId, "Yes, until six.");

        await staff.StatusAsync(reply.Id, BusinessInbox.Data.MessageStatus.Sent);
        world.Graph.Sends.Should().ContainSingle();
        _log.Events.Should().Contain(e => e.Level == LogEventLevel.Information, "the app logs at this level, so the check below means something");
        _log.Events.Where(e => e.Properties.TryGetValue("SourceContext", out var source) && source.ToString().Contains("System.Net.Http", StringComparison.Ordinal))
            .Should().BeEmpty();
    }

    private static string Render(LogEvent e) =>
        e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture) + " " + string.Join(" ", e.Properties.Select(p => p.Key + "=" + p.Value)) + " " + e.Exception;

    private sealed class CapturedLog : ILogEventSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();

        public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
    }
}
