using System.Globalization;
using System.Text.Json;
using BusinessInbox.Data;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>A customer's message from a webhook, already turned into the text the thread shows.</summary>
/// <param name="QuotedId">The wamid of the message this one replies to, if any.</param>
/// <param name="Media">The file of an image, video, audio, document or sticker message, still to be fetched.</param>
public sealed record WaInbound(string PhoneNumberId, string From, string? Name, bool FromIsPhone, string Id, DateTimeOffset? Timestamp, string Body, string? QuotedId,
    WaMedia? Media = null);

public sealed record WaStatus(string PhoneNumberId, StatusUpdate Update);

/// <summary>A reaction to the message <paramref name="MessageId"/> (a wamid, ours or the customer's); a null emoji removes it.</summary>
public sealed record WaReaction(string PhoneNumberId, string MessageId, string? Emoji);

/// <summary>A message the shop sent from its own WhatsApp Business app (coexistence), echoed to us; its file, if any, is fetched like a customer's.</summary>
public sealed record WaEcho(string PhoneNumberId, string BusinessPhone, string To, string Id, string Body, WaMedia? Media = null);

public sealed record WebhookBatch(List<WaInbound> Messages, List<WaStatus> Statuses, List<WaReaction> Reactions, List<WaEcho> Echoes);

/// <summary>A body that is signed but not a shape we understand; it goes to the quarantine.</summary>
public sealed class WebhookShapeException(string reason) : Exception(reason);

/// <summary>
/// Reads a whole webhook delivery before anything is stored, so that a body that cannot be understood
/// is quarantined as a whole rather than half-stored. Every entry, change, message and status is read.
/// </summary>
public static class WebhookPayload
{
    public static WebhookBatch Parse(ReadOnlySpan<byte> body)
    {
        using var document = Parse(body.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || Str(root, "object") != "whatsapp_business_account")
        {
            throw new WebhookShapeException("The body is not a WhatsApp Business Account notification.");
        }
        var batch = new WebhookBatch([], [], [], []);
        var (messages, statuses) = (batch.Messages, batch.Statuses);
        foreach (var entry in Array(root, "entry"))
        {
            foreach (var change in Array(entry, "changes"))
            {
                var field = Str(change, "field");
                if (field is not ("messages" or "smb_message_echoes"))
                {
                    continue;
                }
                if (!change.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object)
                {
                    throw new WebhookShapeException("A change has no value.");
                }
                var phoneNumberId = value.TryGetProperty("metadata", out var metadata) ? Str(metadata, "phone_number_id") : null;
                if (phoneNumberId is null)
                {
                    throw new WebhookShapeException("A change has no metadata.phone_number_id.");
                }
                var names = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var contact in Optional(value, "contacts"))
                {
                    var key = Str(contact, "wa_id") ?? Str(contact, "user_id");
                    var name = contact.TryGetProperty("profile", out var profile) ? Str(profile, "name") : null;
                    if (key is not null && name is not null)
                    {
                        names[key] = name;
                    }
                }
                foreach (var echo in Optional(value, "message_echoes"))
                {
                    var id = Str(echo, "id") ?? throw new WebhookShapeException("A message echo has no id.");
                    var to = Str(echo, "to") ?? throw new WebhookShapeException("A message echo has no recipient.");
                    if (Reaction(phoneNumberId, echo) is { } reaction)
                    {
                        batch.Reactions.Add(reaction);
                        continue;
                    }
                    batch.Echoes.Add(new WaEcho(phoneNumberId, Str(echo, "from") ?? "", to, id, MessageBodies.Describe(echo), Media(echo)));
                }
                foreach (var message in Optional(value, "messages"))
                {
                    if (Reaction(phoneNumberId, message) is { } reaction)
                    {
                        batch.Reactions.Add(reaction);
                        continue;
                    }
                    var id = Str(message, "id") ?? throw new WebhookShapeException("A message has no id.");
                    var wa = Str(message, "from");
                    var from = wa ?? Str(message, "from_user_id") ?? throw new WebhookShapeException("A message has no sender.");
                    messages.Add(new WaInbound(phoneNumberId, from, names.GetValueOrDefault(from), wa is not null, id,
                        UnixTime(Str(message, "timestamp")), MessageBodies.Describe(message),
                        message.TryGetProperty("context", out var context) ? Str(context, "id") : null, Media(message)));
                }
                foreach (var status in Optional(value, "statuses"))
                {
                    var id = Str(status, "id") ?? throw new WebhookShapeException("A status has no message id.");
                    MessageStatus? kind = Str(status, "status") switch
                    {
                        "sent" => MessageStatus.Sent,
                        "delivered" => MessageStatus.Delivered,
                        "read" => MessageStatus.Read,
                        "failed" => MessageStatus.Failed,
                        _ => null,
                    };
                    if (kind is null)
                    {
                        continue;
                    }
                    string? reason = null;
                    if (kind == MessageStatus.Failed)
                    {
                        var error = Optional(status, "errors").FirstOrDefault();
                        var code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : (int?)null;
                        var details = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("error_data", out var data) ? Str(data, "details") : null;
                        reason = WhatsAppErrors.Describe(code, details ?? (error.ValueKind == JsonValueKind.Object ? Str(error, "message") ?? Str(error, "title") : null));
                    }
                    string? category = null;
                    bool? billable = null;
                    if (status.TryGetProperty("pricing", out var pricing) && pricing.ValueKind == JsonValueKind.Object)
                    {
                        category = Str(pricing, "category");
                        billable = pricing.TryGetProperty("billable", out var b) && b.ValueKind is JsonValueKind.True or JsonValueKind.False ? b.GetBoolean() : null;
                    }
                    statuses.Add(new WaStatus(phoneNumberId,
                        new StatusUpdate(id, kind.Value, Str(status, "biz_opaque_callback_data"), reason, category, billable)));
                }
            }
        }
        return batch;
    }

    /// <summary>A reaction names the message it belongs on; one that does not is shown as a placeholder instead.</summary>
    private static WaReaction? Reaction(string phoneNumberId, JsonElement message) =>
        Str(message, "type") == "reaction" && message.TryGetProperty("reaction", out var part) && Str(part, "message_id") is { } target
            ? new WaReaction(phoneNumberId, target, Str(part, "emoji") is { Length: > 0 } emoji ? emoji : null)
            : null;

    /// <summary>The media object of a file message; a file message without a media id keeps only its label.</summary>
    private static WaMedia? Media(JsonElement message)
    {
        var type = Str(message, "type");
        if (!WaMedia.IsMediaType(type) || !message.TryGetProperty(type!, out var part) || Str(part, "id") is not { Length: > 0 } mediaId)
        {
            return null;
        }
        var voice = part.TryGetProperty("voice", out var v) && v.ValueKind == JsonValueKind.True;
        return new WaMedia(type!, mediaId, Str(part, "mime_type"), Str(part, "sha256"), Str(part, "filename"), voice);
    }

    private static JsonDocument Parse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            throw new WebhookShapeException("The body is not valid JSON.");
        }
    }

    private static JsonElement[] Array(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array
            ? [.. items.EnumerateArray()]
            : throw new WebhookShapeException($"Expected an array \"{name}\".");

    private static JsonElement[] Optional(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array ? [.. items.EnumerateArray()] : [];

    internal static string? Str(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? UnixTime(string? seconds) =>
        long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
}

/// <summary>
/// How each WhatsApp message type reads in the thread. Nothing is dropped: a type we cannot show yet
/// becomes a labelled placeholder.
/// </summary>
public static class MessageBodies
{
    public const string Unsupported = "[Unsupported message]";

    public static string Describe(JsonElement message)
    {
        var type = WebhookPayload.Str(message, "type");
        var part = type is not null && message.TryGetProperty(type, out var p) ? p : default;
        var body = type switch
        {
            "text" => WebhookPayload.Str(part, "body") ?? "",
            "image" => Labelled("📷 Photo", WebhookPayload.Str(part, "caption")),
            "video" => Labelled("🎥 Video", WebhookPayload.Str(part, "caption")),
            "audio" => part.ValueKind == JsonValueKind.Object && part.TryGetProperty("voice", out var v) && v.ValueKind == JsonValueKind.True ? "🎤 Voice message" : "🎵 Audio",
            "document" => Labelled("📄 Document", Join(WebhookPayload.Str(part, "filename"), WebhookPayload.Str(part, "caption"))),
            "sticker" => "💟 Sticker",
            "location" => Location(part),
            "contacts" => Labelled("👤 Contact", Join(Cards(message))),
            "interactive" => Labelled("🔘 Reply", Interactive(part)),
            "button" => Labelled("🔘 Button", WebhookPayload.Str(part, "text")),
            _ => Unsupported,
        };
        return string.IsNullOrEmpty(body) ? Unsupported : body;
    }

    private static string Labelled(string label, string? text) => string.IsNullOrWhiteSpace(text) ? label : $"{label}: {text}";

    private static string? Join(params string?[] parts) =>
        parts.Where(p => !string.IsNullOrWhiteSpace(p)).ToArray() is { Length: > 0 } some ? string.Join(" — ", some) : null;

    private static string Location(JsonElement part)
    {
        if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("latitude", out var lat) || !part.TryGetProperty("longitude", out var lon))
        {
            return "📍 Location";
        }
        // The numbers as WhatsApp wrote them: no rounding, no culture-dependent decimal separator.
        var (la, lo) = (lat.ToString(), lon.ToString());
        var place = Join(WebhookPayload.Str(part, "name"), WebhookPayload.Str(part, "address"));
        return $"📍 Location: {(place is null ? "" : place + ", ")}{la}, {lo} https://maps.google.com/?q={la},{lo}";
    }

    private static string?[] Cards(JsonElement message) =>
        message.TryGetProperty("contacts", out var cards) && cards.ValueKind == JsonValueKind.Array ? cards.EnumerateArray().Select(ContactCard).ToArray() : [];

    private static string? ContactCard(JsonElement contact)
    {
        var name = contact.TryGetProperty("name", out var n) ? WebhookPayload.Str(n, "formatted_name") : null;
        var phone = contact.TryGetProperty("phones", out var phones) && phones.ValueKind == JsonValueKind.Array && phones.GetArrayLength() > 0
            ? WebhookPayload.Str(phones[0], "phone") : null;
        return Join(name, phone);
    }

    private static string? Interactive(JsonElement part)
    {
        foreach (var kind in new[] { "button_reply", "list_reply" })
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty(kind, out var reply))
            {
                return WebhookPayload.Str(reply, "title");
            }
        }
        return null;
    }
}
