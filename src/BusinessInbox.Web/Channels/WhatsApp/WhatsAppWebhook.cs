using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// Meta's webhook: the subscription handshake (GET) and signed deliveries (POST), at /webhooks/whatsapp for the
/// deployment's Meta app and at /webhooks/whatsapp/{slug} for a shop with its own. Not rate limited: Meta
/// retries anything but a 2xx for days, so a signed delivery is always answered 200 once it is stored.
/// </summary>
public static class WhatsAppWebhook
{
    /// <summary>Meta sends up to 3 MB; anything much larger is not a WhatsApp delivery.</summary>
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    public static void MapWhatsAppWebhook(this WebApplication app)
    {
        var hooks = app.MapGroup("/webhooks").AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        hooks.MapGet("/whatsapp", (HttpContext http, IOptions<WhatsAppOptions> options) => Handshake(http, options.Value.VerifyToken));
        hooks.MapPost("/whatsapp", (HttpContext http, IOptions<WhatsAppOptions> options, WebhookReceiver receiver, CancellationToken ct) =>
            receiver.ReceiveAsync(http, options.Value.AppSecret, onlyBusinessId: null, ct));
        hooks.MapGet("/whatsapp/{slug}", async (string slug, HttpContext http, InboxDb db, CancellationToken ct) =>
            await OwnAppAsync(db, slug, ct) is { } own ? Handshake(http, own.VerifyToken) : Results.NotFound());
        hooks.MapPost("/whatsapp/{slug}", async (string slug, HttpContext http, InboxDb db, WhatsAppSecrets secrets, WebhookReceiver receiver, CancellationToken ct) =>
            await OwnAppAsync(db, slug, ct) is { AppSecretProtected: { } secret } own
                ? await receiver.ReceiveAsync(http, secrets.Unprotect(secret), own.BusinessId, ct)
                : Results.NotFound());
    }

    private static Task<WhatsAppChannel?> OwnAppAsync(InboxDb db, string slug, CancellationToken ct) =>
        db.WhatsAppChannels.AsNoTracking()
            .Where(c => db.Businesses.Any(b => b.Id == c.BusinessId && b.Slug == slug) && c.AppSecretProtected != null && c.VerifyToken != null)
            .SingleOrDefaultAsync(ct);

    private static IResult Handshake(HttpContext http, string? verifyToken)
    {
        var query = http.Request.Query;
        var challenge = query["hub.challenge"].ToString();
        return verifyToken is not null && query["hub.mode"] == "subscribe" && SameText(query["hub.verify_token"].ToString(), verifyToken)
            ? Results.Text(challenge, "text/plain", Encoding.UTF8)
            : Results.StatusCode(StatusCodes.Status403Forbidden);
    }

    private static bool SameText(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>Whether <paramref name="header"/> is "sha256=" and the HMAC-SHA256 of the raw body under the secret.</summary>
    public static bool SignatureValid(string? header, byte[] body, string secret)
    {
        const string prefix = "sha256=";
        if (header is null || !header.StartsWith(prefix, StringComparison.Ordinal) || header.Length != prefix.Length + 64)
        {
            return false;
        }
        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}

/// <summary>Checks, reads and stores one webhook delivery.</summary>
public sealed partial class WebhookReceiver(
    InboxDb db, InboundMessages inbound, WhatsAppStatuses statuses, WhatsAppEchoes echoes, WhatsAppNumbers numbers, TimeProvider clock,
    ILogger<WebhookReceiver> logger)
{
    public async Task<IResult> ReceiveAsync(HttpContext http, string? secret, int? onlyBusinessId, CancellationToken ct)
    {
        try
        {
            return await StoreAsync(http, secret, onlyBusinessId, ct);
        }
        catch (InboxBusyException)
        {
            // Refused before it was stored, and quickly, so that an overload does not pile up requests. Meta delivers it again.
            http.Response.Headers.RetryAfter = "5";
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }

    private async Task<IResult> StoreAsync(HttpContext http, string? secret, int? onlyBusinessId, CancellationToken ct)
    {
        if (secret is null)
        {
            return Results.NotFound();
        }
        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        if (!WhatsAppWebhook.SignatureValid(http.Request.Headers["X-Hub-Signature-256"], body, secret))
        {
            logger.LogWarning("Refused a WhatsApp webhook delivery with a missing or wrong signature ({Bytes} bytes)", body.Length);
            return Results.Unauthorized();
        }

        WebhookBatch batch;
        try
        {
            batch = WebhookPayload.Parse(body);
        }
        catch (WebhookShapeException ex)
        {
            var text = Encoding.UTF8.GetString(body);
            db.WebhookQuarantine.Add(new WebhookQuarantine
            {
                BusinessId = onlyBusinessId ?? await OwnerOfAsync(text, ct), Body = text, Reason = ex.Message, ReceivedAt = clock.GetUtcNow(),
            });
            await db.SaveChangesAsync(ct);
            logger.LogWarning("Quarantined a signed WhatsApp webhook delivery that could not be read: {Reason}", ex.Message);
            return Results.Ok();
        }

        var channels = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var message in batch.Messages)
        {
            if (await BusinessOfAsync(message.PhoneNumberId, onlyBusinessId, channels, ct) is not { } businessId)
            {
                continue;
            }
            await inbound.ReceiveOrRefuseAsync(new InboundMessage(businessId, ChannelKind.WhatsApp, message.From, message.Name,
                message.FromIsPhone ? "+" + message.From : null, message.Id, await WithQuoteAsync(businessId, message, ct), message.Timestamp,
                Media: message.Media), ct);
        }
        foreach (var echo in batch.Echoes)
        {
            if (await BusinessOfAsync(echo.PhoneNumberId, onlyBusinessId, channels, ct) is { } businessId)
            {
                await echoes.StoreAsync(businessId, echo, ct);
            }
        }
        // After the messages: a reaction may come in the same delivery as the message it is on.
        foreach (var reaction in batch.Reactions)
        {
            if (await BusinessOfAsync(reaction.PhoneNumberId, onlyBusinessId, channels, ct) is { } businessId)
            {
                await echoes.ReactAsync(businessId, reaction, ct);
            }
        }
        foreach (var status in batch.Statuses)
        {
            if (await BusinessOfAsync(status.PhoneNumberId, onlyBusinessId, channels, ct) is { } businessId)
            {
                await statuses.ApplyAsync(businessId, status.Update, ct);
            }
        }
        return Results.Ok();
    }

    /// <summary>A reply that quotes an earlier message shows the quoted text first, as WhatsApp does.</summary>
    private async Task<string> WithQuoteAsync(int businessId, WaInbound message, CancellationToken ct)
    {
        if (message.QuotedId is null)
        {
            return message.Body;
        }
        var quoted = await db.Messages.AsNoTracking()
            .Where(m => m.BusinessId == businessId && m.Channel == ChannelKind.WhatsApp && m.ExternalId == message.QuotedId)
            .Select(m => m.Body).FirstOrDefaultAsync(ct);
        return quoted is null ? message.Body : $"↪ “{MessageText.Preview(quoted, 80)}”\n{message.Body}";
    }

    /// <summary>Whose number an unreadable body mentions, if any, so that its owner sees it in Settings.</summary>
    private async Task<int?> OwnerOfAsync(string body, CancellationToken ct)
    {
        var match = PhoneNumberIdPattern().Match(body);
        return match.Success
            ? await numbers.BusinessOfAsync(db, match.Groups[1].Value, ct)
            : null;
    }

    [GeneratedRegex("\"phone_number_id\"\\s*:\\s*\"(\\d{1,40})\"", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PhoneNumberIdPattern();

    private async Task<int?> BusinessOfAsync(string phoneNumberId, int? onlyBusinessId, Dictionary<string, int?> known, CancellationToken ct)
    {
        if (!known.TryGetValue(phoneNumberId, out var businessId))
        {
            businessId = await numbers.BusinessOfAsync(db, phoneNumberId, ct);
            if (businessId is null || (onlyBusinessId is not null && businessId != onlyBusinessId))
            {
                // Answered 200 all the same: an error would only make Meta resend it for days.
                logger.LogWarning("A WhatsApp webhook delivery names phone number id {PhoneNumberId}, which no business here has connected", phoneNumberId);
                businessId = null;
            }
            known[phoneNumberId] = businessId;
        }
        return businessId;
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > WhatsAppWebhook.MaxBodyBytes)
        {
            return null;
        }
        // Sized by Content-Length when it is given, with a pooled chunk: most deliveries are a kilobyte or two, and a
        // busy number sends hundreds a second.
        using var buffer = new MemoryStream((int)(request.ContentLength ?? 0));
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > WhatsAppWebhook.MaxBodyBytes)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }
}
