using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Data;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.WhatsApp;

/// <summary>The app with one business connected to WhatsApp, a fake Graph API, and helpers that post signed webhooks.</summary>
public sealed class WhatsAppWorld : IAsyncDisposable
{
    public const string AppSecret = "0123456789abcdef0123456789abcdef";
    public const string VerifyToken = "let-me-in-please";
    public const string PhoneNumberId = "106540352242922";
    public const string AccessToken = "EAAG-test-access-token-1234";

    public required FakeGraphApi Graph { get; init; }
    public required InboxApp App { get; init; }
    public required TestBusiness Shop { get; init; }
    public HttpClient Http { get; private init; } = null!;

    public static async Task<WhatsAppWorld> StartAsync(FakeTimeProvider? clock = null, bool connected = true, Action<IServiceCollection>? services = null)
    {
        var graph = await FakeGraphApi.StartAsync();
        var escapes = new ConcurrentQueue<Uri>();
        var app = new InboxApp { Clock = clock }
            .WithServices(services ?? (_ => { }))
            .WithSetting("WhatsApp:AppSecret", AppSecret)
            .WithSetting("WhatsApp:VerifyToken", VerifyToken)
            .WithSetting("WhatsApp:GraphApiBaseUrl", graph.BaseUrl)
            .WithSetting("WhatsApp:RequestTimeout", "00:00:01")
            .WithSetting("Outbox:FirstRetryDelay", "00:00:04")
            .WithSetting("Outbox:PollInterval", "00:10:00")
            .WithServices(s => s.ConfigureHttpClientDefaults(h => h.AddHttpMessageHandler(() => new LoopbackOnlyHandler(escapes))));
        var shop = await app.CreateBusinessAsync("wa-shop");
        await using (var scope = app.Services.CreateAsyncScope())
        if (connected)
        {
            var secrets = scope.ServiceProvider.GetRequiredService<WhatsAppSecrets>();
            var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
            db.WhatsAppChannels.Add(new WhatsAppChannel
            {
                BusinessId = shop.Id, PhoneNumberId = PhoneNumberId, WabaId = "102290129340398",
                AccessTokenProtected = secrets.Protect(AccessToken), AccessTokenHint = WhatsAppSecrets.Hint(AccessToken),
            });
            await db.SaveChangesAsync();
        }
        return new WhatsAppWorld { Graph = graph, App = app, Shop = shop, Http = app.CreateClient(), Escapes = escapes };
    }

    /// <summary>Requests the app tried to make to other hosts (refused by <see cref="LoopbackOnlyHandler"/>).</summary>
    public required ConcurrentQueue<Uri> Escapes { get; init; }

    public static string Sign(string body, string secret = AppSecret) => Sign(Encoding.UTF8.GetBytes(body), secret);

    public static string Sign(byte[] body, string secret = AppSecret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Posts a webhook body, signed correctly unless a signature is given (or null for none).</summary>
    public Task<HttpResponseMessage> PostAsync(string body, string? signature = "sign", string path = "/webhooks/whatsapp") =>
        PostAsync(Encoding.UTF8.GetBytes(body), signature, path);

    public async Task<HttpResponseMessage> PostAsync(byte[] body, string? signature = "sign", string path = "/webhooks/whatsapp")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature == "sign" ? Sign(body) : signature);
        }
        return await Http.SendAsync(request);
    }

    public async Task PostOkAsync(string body) => (await PostAsync(body)).StatusCode.Should().Be(HttpStatusCode.OK);

    public Task<List<Message>> MessagesAsync() =>
        App.WithDbAsync(db => db.Messages.AsNoTracking().Where(m => m.BusinessId == Shop.Id).OrderBy(m => m.Id).ToListAsync());

    public Task<Message> MessageAsync(long id) => App.WithDbAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.Id == id));

    /// <summary>A delivery with one change per entry, as Meta builds them.</summary>
    public static string Payload(params object[] entries) => JsonSerializer.Serialize(new { @object = "whatsapp_business_account", entry = entries });

    public static object Entry(params object[] values) => new
    {
        id = "102290129340398",
        changes = values.Select(v => new { field = "messages", value = v }).ToArray(),
    };

    /// <summary>A delivery of messages the shop sent from its own WhatsApp Business app (coexistence).</summary>
    public static string Echoes(params object[] echoes) => Payload(new
    {
        id = "102290129340398",
        changes = new[]
        {
            new
            {
                field = "smb_message_echoes",
                value = new
                {
                    messaging_product = "whatsapp",
                    metadata = new { display_phone_number = "15550783881", phone_number_id = PhoneNumberId },
                    message_echoes = echoes,
                },
            },
        },
    });

    public static object Messages(string from, string name, params object[] messages) => new
    {
        messaging_product = "whatsapp",
        metadata = new { display_phone_number = "15550783881", phone_number_id = PhoneNumberId },
        contacts = new[] { new { profile = new { name }, wa_id = from } },
        messages,
    };

    public static object Text(string from, string id, string body, long timestamp = 1739321024) =>
        new { from, id, timestamp = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), type = "text", text = new { body } };

    public static object Statuses(params object[] statuses) => new
    {
        messaging_product = "whatsapp",
        metadata = new { display_phone_number = "15550783881", phone_number_id = PhoneNumberId },
        statuses,
    };

    public static object Status(string wamid, string status, string? callback = null, object? errors = null) => new
    {
        id = wamid, status, timestamp = "1739321090", recipient_id = "16505551234", biz_opaque_callback_data = callback,
        pricing = new { billable = false, pricing_model = "PMP", category = "service" },
        errors,
    };

    /// <summary>One customer text as a whole signed delivery.</summary>
    public static string CustomerText(string wamid, string body, string from = "16505551234", string name = "Sheena Nelson") =>
        Payload(Entry(Messages(from, name, Text(from, wamid, body))));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
        await Graph.DisposeAsync();
        Escapes.Should().BeEmpty("the tests must never call a host other than the loopback fake");
    }
}
