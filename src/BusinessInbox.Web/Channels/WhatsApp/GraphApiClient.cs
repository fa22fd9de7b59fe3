using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>A Graph API refusal, as its <c>error</c> object describes it (the code matters more than the HTTP status).</summary>
public sealed class GraphApiException(int httpStatus, int? code, string message, string? details)
    : Exception(details is null ? message : $"{message} ({details})")
{
    public int HttpStatus { get; } = httpStatus;
    public int? Code { get; } = code;
    public string GraphMessage { get; } = message;
    public string? Details { get; } = details;
}

public sealed record PhoneNumberInfo(string? DisplayPhoneNumber, string? VerifiedName);

/// <summary>Where a customer's file can be downloaded (for about five minutes) and what it is, as the Graph API describes it.</summary>
public sealed record GraphMedia(string Url, string? MimeType, string? Sha256, long? FileSize);

/// <summary>A message template as the Graph API lists it; <paramref name="ComponentsJson"/> is its components array as received.</summary>
public sealed record GraphTemplate(string Name, string Language, string Status, string Category, string? ParameterFormat, string ComponentsJson);

/// <summary>The few Graph API calls the WhatsApp channel makes, against <see cref="WhatsAppOptions.GraphApiBaseUrl"/>.</summary>
public sealed class GraphApiClient(HttpClient http, IOptions<WhatsAppOptions> options)
{
    private string Version => options.Value.GraphApiVersion;

    /// <summary>Sends a text message; returns the wamid WhatsApp gave it.</summary>
    public Task<string> SendTextAsync(string phoneNumberId, string accessToken, string to, string body, string callbackData, CancellationToken ct) =>
        SendMessageAsync(phoneNumberId, accessToken, to, "text", new JsonObject { ["preview_url"] = false, ["body"] = body }, callbackData, ct);

    /// <summary>Sends an approved template with its body parameters, in order; returns the wamid.</summary>
    public Task<string> SendTemplateAsync(
        string phoneNumberId, string accessToken, string to, string name, string language, IReadOnlyList<string> parameters, string callbackData, CancellationToken ct)
    {
        var template = new JsonObject { ["name"] = name, ["language"] = new JsonObject { ["code"] = language } };
        if (parameters.Count > 0)
        {
            var values = new JsonArray([.. parameters.Select(p => (JsonNode)new JsonObject { ["type"] = "text", ["text"] = p })]);
            template["components"] = new JsonArray(new JsonObject { ["type"] = "body", ["parameters"] = values });
        }
        return SendMessageAsync(phoneNumberId, accessToken, to, "template", template, callbackData, ct);
    }

    /// <summary>Uploads a file for sending (<c>POST /{phone-number-id}/media</c>, multipart); returns WhatsApp's media id.</summary>
    public async Task<string> UploadMediaAsync(
        string phoneNumberId, string accessToken, Stream content, string contentType, string fileName, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("whatsapp"), "messaging_product" },
            { new StringContent(contentType), "type" },
        };
        var file = new StreamContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        form.Add(file, "file", fileName);
        using var answer = await SendContentAsync(HttpMethod.Post, $"{Version}/{Uri.EscapeDataString(phoneNumberId)}/media", accessToken, form, ct);
        return StringOf(answer.RootElement, "id") is { Length: > 0 } id
            ? id
            : throw new GraphApiException(200, null, "WhatsApp accepted the file but returned no media id.", null);
    }

    /// <summary>Sends an uploaded file by its media id (<paramref name="type"/> is image, video, audio, document or sticker); returns the wamid.</summary>
    public Task<string> SendMediaAsync(
        string phoneNumberId, string accessToken, string to, string type, string mediaId, string? caption, string? fileName, string callbackData, CancellationToken ct)
    {
        var media = new JsonObject { ["id"] = mediaId };
        if (!string.IsNullOrWhiteSpace(caption))
        {
            media["caption"] = caption;
        }
        if (fileName is not null)
        {
            media["filename"] = fileName;
        }
        return SendMessageAsync(phoneNumberId, accessToken, to, type, media, callbackData, ct);
    }

    private async Task<string> SendMessageAsync(
        string phoneNumberId, string accessToken, string to, string type, JsonObject content, string callbackData, CancellationToken ct)
    {
        var payload = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["to"] = to,
            ["type"] = type,
            [type] = content,
            ["biz_opaque_callback_data"] = callbackData,
        };
        using var answer = await SendAsync(HttpMethod.Post, $"{Version}/{Uri.EscapeDataString(phoneNumberId)}/messages", accessToken, payload, ct);
        return answer.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array
               && messages.GetArrayLength() > 0 && messages[0].TryGetProperty("id", out var id) && id.GetString() is { Length: > 0 } wamid
            ? wamid
            : throw new GraphApiException(200, null, "WhatsApp accepted the message but returned no message id.", null);
    }

    /// <summary>Shows the customer blue ticks up to <paramref name="wamid"/>.</summary>
    public async Task MarkReadAsync(string phoneNumberId, string accessToken, string wamid, CancellationToken ct)
    {
        var payload = new JsonObject { ["messaging_product"] = "whatsapp", ["status"] = "read", ["message_id"] = wamid };
        using var _ = await SendAsync(HttpMethod.Post, $"{Version}/{Uri.EscapeDataString(phoneNumberId)}/messages", accessToken, payload, ct);
    }

    public async Task<PhoneNumberInfo> PhoneNumberAsync(string phoneNumberId, string accessToken, CancellationToken ct)
    {
        using var answer = await SendAsync(HttpMethod.Get, $"{Version}/{Uri.EscapeDataString(phoneNumberId)}", accessToken, null, ct);
        return new PhoneNumberInfo(StringOf(answer.RootElement, "display_phone_number"), StringOf(answer.RootElement, "verified_name"));
    }

    /// <summary>Subscribes the Meta app that owns the token to the business account's webhooks.</summary>
    public async Task SubscribeAppAsync(string wabaId, string accessToken, CancellationToken ct)
    {
        using var answer = await SendAsync(HttpMethod.Post, $"{Version}/{Uri.EscapeDataString(wabaId)}/subscribed_apps", accessToken, new JsonObject(), ct);
        if (!(answer.RootElement.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True))
        {
            throw new GraphApiException(200, null, "WhatsApp did not confirm the subscription.", null);
        }
    }

    /// <summary>The business account's message templates, every page of them.</summary>
    public async Task<List<GraphTemplate>> ListTemplatesAsync(string wabaId, string accessToken, CancellationToken ct)
    {
        const int MaxPages = 100;
        var templates = new List<GraphTemplate>();
        string? after = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var path = $"{Version}/{Uri.EscapeDataString(wabaId)}/message_templates?fields=name,language,status,category,components,parameter_format&limit=100"
                + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            using var answer = await SendAsync(HttpMethod.Get, path, accessToken, null, ct);
            var root = answer.RootElement;
            if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
            {
                foreach (var t in data.EnumerateArray())
                {
                    if (StringOf(t, "name") is { } name && StringOf(t, "language") is { } language)
                    {
                        var components = t.TryGetProperty("components", out var c) && c.ValueKind == JsonValueKind.Array ? c.GetRawText() : "[]";
                        templates.Add(new GraphTemplate(name, language, StringOf(t, "status") ?? "", StringOf(t, "category") ?? "",
                            StringOf(t, "parameter_format"), components));
                    }
                }
            }
            // Meta's "next" link is the sign of another page; the cursor keeps the request on our configured host.
            var paging = root.TryGetProperty("paging", out var p) ? p : default;
            after = StringOf(paging, "next") is not null && paging.TryGetProperty("cursors", out var cursors) ? StringOf(cursors, "after") : null;
            if (after is null)
            {
                break;
            }
        }
        return templates;
    }

    /// <summary>A fresh download address for a customer's file (<c>GET /{version}/{media-id}</c>).</summary>
    public async Task<GraphMedia> MediaAsync(string mediaId, string accessToken, CancellationToken ct)
    {
        using var answer = await SendAsync(HttpMethod.Get, $"{Version}/{Uri.EscapeDataString(mediaId)}", accessToken, null, ct);
        var root = answer.RootElement;
        long? size = root.TryGetProperty("file_size", out var s) ? s.ValueKind switch
        {
            JsonValueKind.Number when s.TryGetInt64(out var n) => n,
            JsonValueKind.String when long.TryParse(s.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        } : null;
        return StringOf(root, "url") is { Length: > 0 } url
            ? new GraphMedia(url, StringOf(root, "mime_type"), StringOf(root, "sha256"), size)
            : throw new GraphApiException(200, null, "WhatsApp gave no download address for the file.", null);
    }

    private Task<JsonDocument> SendAsync(HttpMethod method, string path, string accessToken, JsonObject? body, CancellationToken ct) =>
        SendContentAsync(method, path, accessToken, body is null ? null : JsonContent.Create(body), ct);

    private async Task<JsonDocument> SendContentAsync(HttpMethod method, string path, string accessToken, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Content = content;
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
        }
        catch (JsonException)
        {
            // A proxy's HTML error page, say: judged by the HTTP status alone below.
        }
        if (document is not null && document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : (int?)null;
            var message = StringOf(error, "message") ?? "The Graph API refused the request.";
            var details = error.TryGetProperty("error_data", out var data) && data.ValueKind == JsonValueKind.Object ? StringOf(data, "details") : null;
            document.Dispose();
            throw new GraphApiException((int)response.StatusCode, code, message, details);
        }
        if (!response.IsSuccessStatusCode || document is null)
        {
            document?.Dispose();
            throw new GraphApiException((int)response.StatusCode, null, $"The Graph API answered HTTP {(int)response.StatusCode}.", null);
        }
        return document;
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
