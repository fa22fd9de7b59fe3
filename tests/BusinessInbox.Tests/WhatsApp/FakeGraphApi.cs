using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BusinessInbox.Tests.WhatsApp;

public sealed record GraphRequest(string Method, string Path, string? Authorization, string Body, string? After = null)
{
    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);
}

/// <summary>A file uploaded to <c>/{phone-number-id}/media</c>, as the multipart form carried it.</summary>
public sealed record GraphUpload(string Path, string? Authorization, string MessagingProduct, string Type, string FileName, string? FileContentType, byte[] Bytes);

/// <summary>What the fake answers to one request: a status and body, possibly after a delay (to provoke a timeout).</summary>
public sealed record GraphAnswer(int Status, object Body, TimeSpan Delay = default)
{
    /// <summary>A Graph API error object, as Meta sends it.</summary>
    public static GraphAnswer Error(int code, string message, string? details = null, int status = 400) => new(status, new
    {
        error = new { message, type = "OAuthException", code, error_data = new { messaging_product = "whatsapp", details = details ?? message }, fbtrace_id = "AbCdEfGh123" },
    });
}

/// <summary>
/// A local stand-in for graph.facebook.com on a loopback Kestrel port: it speaks the documented shapes,
/// records every request and answers scripted failures first.
/// </summary>
public sealed partial class FakeGraphApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<GraphAnswer> _next = new();
    private int _sent;
    private int _uploaded;

    public ConcurrentQueue<GraphRequest> Requests { get; } = new();
    public ConcurrentQueue<GraphUpload> Uploads { get; } = new();
    public string BaseUrl { get; private set; } = "";

    private FakeGraphApi()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public static async Task<FakeGraphApi> StartAsync()
    {
        var fake = new FakeGraphApi();
        await fake._app.StartAsync();
        fake.BaseUrl = fake._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return fake;
    }

    /// <summary>The next request is answered with this instead of the documented success.</summary>
    public void ThenAnswer(GraphAnswer answer) => _next.Enqueue(answer);

    /// <summary>The account's message templates, served two per page as the Graph API pages them.</summary>
    public List<object> Templates { get; } =
    [
        Template("order_ready", "en_US", "APPROVED", "UTILITY",
            new { type = "BODY", text = "Hi {{1}}, your order {{2}} is ready for pickup.", example = new { body_text = new[] { new[] { "Sheena", "#1042" } } } },
            new { type = "FOOTER", text = "Fake Shop" }),
        Template("spring_sale", "en_US", "APPROVED", "MARKETING",
            new { type = "HEADER", format = "IMAGE" },
            new { type = "BODY", text = "Our spring sale starts today, {{1}}!" }),
        Template("we_are_back", "en_US", "APPROVED", "UTILITY", new { type = "BODY", text = "We are open again. Write to us any time." }),
        Template("new_arrivals", "en_US", "PENDING", "MARKETING", new { type = "BODY", text = "New arrivals are in, {{1}}." }),
        Template("order_ready", "de_DE", "REJECTED", "UTILITY", new { type = "BODY", text = "Hallo {{1}}, Ihre Bestellung {{2}} ist abholbereit." }),
    ];

    public static object Template(string name, string language, string status, string category, params object[] components) =>
        new { name, language, status, category, components, id = $"{name}-{language}" };

    public IReadOnlyList<GraphRequest> Sends => Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/messages", StringComparison.Ordinal)).ToList();

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = http.Request.HasFormContentType ? await RecordUploadAsync(http) : await reader.ReadToEndAsync();
        var request = new GraphRequest(http.Request.Method, http.Request.Path.Value ?? "", http.Request.Headers.Authorization.ToString(), body,
            http.Request.Query["after"].FirstOrDefault());
        Requests.Enqueue(request);
        if (await MediaAsync(http, request))
        {
            return;
        }
        var answer = _next.TryDequeue(out var scripted) ? scripted : Success(request);
        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        http.Response.StatusCode = answer.Status;
        await http.Response.WriteAsJsonAsync(answer.Body);
    }

    /// <summary>Records a media upload; its request body is kept as its form fields only (the file's bytes are binary).</summary>
    private async Task<string> RecordUploadAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        var file = form.Files.GetFile("file");
        using var bytes = new MemoryStream();
        if (file is not null)
        {
            await file.CopyToAsync(bytes);
        }
        Uploads.Enqueue(new GraphUpload(http.Request.Path.Value ?? "", http.Request.Headers.Authorization.ToString(),
            form["messaging_product"].ToString(), form["type"].ToString(), file?.FileName ?? "", file?.ContentType, bytes.ToArray()));
        return JsonSerializer.Serialize(new { messaging_product = form["messaging_product"].ToString(), type = form["type"].ToString() });
    }

    private GraphAnswer Success(GraphRequest request)
    {
        if (request.Method == "POST" && request.Path.EndsWith("/media", StringComparison.Ordinal))
        {
            return new GraphAnswer(200, new { id = $"media.fake{Interlocked.Increment(ref _uploaded)}" });
        }
        if (request.Path.EndsWith("/messages", StringComparison.Ordinal))
        {
            var to = request.Json?["to"]?.GetValue<string>();
            return new GraphAnswer(200, new
            {
                messaging_product = "whatsapp",
                contacts = new[] { new { input = to, wa_id = to } },
                messages = new[] { new { id = $"wamid.fake{Interlocked.Increment(ref _sent)}" } },
            });
        }
        if (request.Path.EndsWith("/message_templates", StringComparison.Ordinal))
        {
            const int PageSize = 2;
            var start = int.TryParse(request.After, out var a) ? a : 0;
            var page = Templates.Skip(start).Take(PageSize).ToArray();
            var more = start + PageSize < Templates.Count;
            object paging = more
                ? new { cursors = new { before = start.ToString(System.Globalization.CultureInfo.InvariantCulture), after = (start + PageSize).ToString(System.Globalization.CultureInfo.InvariantCulture) }, next = "https://graph.facebook.com/next-page" }
                : new { cursors = new { before = start.ToString(System.Globalization.CultureInfo.InvariantCulture), after = "end" } };
            return new GraphAnswer(200, new { data = page, paging });
        }
        if (request.Path.EndsWith("/subscribed_apps", StringComparison.Ordinal))
        {
            return new GraphAnswer(200, new { success = true });
        }
        return new GraphAnswer(200, new { display_phone_number = "+1 555-078-3881", verified_name = "Fake Shop", id = request.Path.Split('/').Last() });
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>Fails any request the app makes to a host other than this machine: the tests never reach Meta.</summary>
public sealed class LoopbackOnlyHandler(ConcurrentQueue<Uri> escapes) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not { IsLoopback: true })
        {
            escapes.Enqueue(request.RequestUri!);
            throw new InvalidOperationException($"A test tried to reach {request.RequestUri}: only the loopback fake may be called.");
        }
        return base.SendAsync(request, cancellationToken);
    }
}
