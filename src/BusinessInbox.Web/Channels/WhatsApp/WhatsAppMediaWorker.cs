using System.Net.Http.Headers;
using System.Security.Cryptography;
using BusinessInbox.Attachments;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Workers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>Wakes the media worker when a customer's file message is committed.</summary>
public sealed class WhatsAppMediaSignal : WorkSignal;

/// <summary>
/// Fetches customers' WhatsApp files after their messages are stored: a fresh download address from the Graph API on
/// every attempt (each lives about five minutes), then the file itself, streamed into the attachment store within
/// WhatsApp's size for its type and checked by its content. Passing failures are retried with backoff and jitter;
/// a lasting one leaves the message in the thread with the reason in plain words. No write lock is held while
/// downloading. See docs/decisions/0017-inbound-whatsapp-media.md.
/// </summary>
public sealed class WhatsAppMediaWorker(
    IServiceScopeFactory scopes,
    WhatsAppMediaSignal signal,
    IHttpClientFactory httpClients,
    IOptions<WhatsAppMediaOptions> options,
    IOptions<WhatsAppOptions> whatsApp,
    TimeProvider clock,
    ILogger<WhatsAppMediaWorker> logger) : QueueWorker(signal, clock, options.Value.PollInterval, logger)
{
    public const string HttpClientName = "WhatsAppMedia";

    public const string NotFound = "WhatsApp no longer has this file";
    public const string Unreachable = "WhatsApp could not be reached";
    public const string NotConnected = "WhatsApp is not connected";

    protected override string WorkName => "Fetching WhatsApp media";

    protected override async Task<bool> ProcessNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<InboxDb>();
        var now = Clock.GetUtcNow();
        WhatsAppMediaFetch? fetch;
        using (await services.GetRequiredService<WriteGate>().EnterAsync(ct))
        {
            fetch = await db.WhatsAppMediaFetches.AsNoTracking()
                .Where(f => f.State == WhatsAppMediaFetchState.Pending && f.NextAttemptAt <= now)
                .OrderBy(f => f.NextAttemptAt).ThenBy(f => f.Id)
                .FirstOrDefaultAsync(ct);
            if (fetch is null)
            {
                return false;
            }
            // Claimed for as long as a download may take: another process sharing the database passes it by, and a
            // download cut short by a crash is tried again once the claim runs out.
            var due = fetch.NextAttemptAt;
            var lease = now + options.Value.DownloadTimeout + whatsApp.Value.RequestTimeout + TimeSpan.FromMinutes(1);
            var claimed = await db.WhatsAppMediaFetches.Where(f => f.Id == fetch.Id && f.NextAttemptAt == due)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.Attempts, f => f.Attempts + 1).SetProperty(f => f.NextAttemptAt, lease), ct);
            if (claimed == 0)
            {
                return true;
            }
        }
        fetch.Attempts++;

        Outcome outcome;
        try
        {
            outcome = await FetchAsync(services, fetch, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            outcome = new Retry(ex.GetType().Name, Unreachable);
        }
        await ApplyAsync(services, fetch, outcome, ct);
        return true;
    }

    private abstract record Outcome;

    private sealed record Stored(Attachment Attachment) : Outcome;

    /// <summary>A passing failure; <paramref name="Why"/> is what the thread says if it is still failing at the last attempt.</summary>
    private sealed record Retry(string Error, string Why) : Outcome;

    private sealed record Failed(string Reason) : Outcome;

    private static Failed NotDownloaded(WaMedia media, string why) => new($"{media.Label} couldn't be downloaded: {why}");

    private static Failed TooLarge(WaMedia media) => NotDownloaded(media, "larger than " + SizeText(media.MaxBytes));

    /// <summary>The content checks' own words ("This file is not a JPEG, …."), as the rest of a sentence.</summary>
    private static Failed Refused(WaMedia media, string error) =>
        new($"{media.Label} couldn't be stored: {char.ToLowerInvariant(error[0])}{error[1..].TrimEnd('.')}");

    private static string SizeText(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes / 1024} KB";

    private async Task<Outcome> FetchAsync(IServiceProvider services, WhatsAppMediaFetch fetch, CancellationToken ct)
    {
        var media = fetch.Media;
        var db = services.GetRequiredService<InboxDb>();
        var channel = await db.WhatsAppChannels.AsNoTracking().SingleOrDefaultAsync(c => c.BusinessId == fetch.BusinessId, ct);
        if (channel is null)
        {
            return NotDownloaded(media, NotConnected);
        }
        string token;
        try
        {
            token = services.GetRequiredService<WhatsAppSecrets>().Unprotect(channel.AccessTokenProtected);
        }
        catch (CryptographicException)
        {
            return new Retry("The access token could not be decrypted.", WhatsAppErrors.TokenFailedReason);
        }

        GraphMedia info;
        try
        {
            info = await services.GetRequiredService<GraphApiClient>().MediaAsync(media.MediaId, token, ct);
        }
        catch (GraphApiException ex)
        {
            Logger.LogWarning("WhatsApp refused the file of message {MessageId}: HTTP {Status}, error {Code}", fetch.MessageId, ex.HttpStatus, ex.Code);
            // 100 is Graph's "no such object": the id is unknown or the file was deleted (WhatsApp keeps media for 30 days).
            if (ex.Code == 100 || ex.HttpStatus == StatusCodes.Status404NotFound)
            {
                return NotDownloaded(media, NotFound);
            }
            return new Retry($"Graph API error {ex.Code} (HTTP {ex.HttpStatus})", ex.Code == WhatsAppErrors.TokenInvalid ? WhatsAppErrors.TokenFailedReason : Unreachable);
        }
        if (info.FileSize > media.MaxBytes)
        {
            return TooLarge(media);
        }
        if (!Uri.TryCreate(info.Url, UriKind.Absolute, out var url) || !(url.Scheme == Uri.UriSchemeHttps || url.Scheme == GraphScheme))
        {
            // The token goes with the request: never over plain HTTP to a host the configuration did not choose.
            return new Retry("WhatsApp gave an unusable download address.", Unreachable);
        }

        // HttpClient's own timeout ends with the headers; a body that stalls half-way must not hold the worker forever.
        using var timeout = new CancellationTokenSource(options.Value.DownloadTimeout, Clock);
        using var download = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, download.Token);
        if (!response.IsSuccessStatusCode)
        {
            // Even a 404 is retried: the address may have expired, and the next attempt asks for a fresh one.
            Logger.LogWarning("Downloading the file of message {MessageId} failed with HTTP {Status}", fetch.MessageId, (int)response.StatusCode);
            return new Retry($"Download answered HTTP {(int)response.StatusCode}", Unreachable);
        }
        if (response.Content.Headers.ContentLength > media.MaxBytes)
        {
            return TooLarge(media);
        }
        await using var body = new LimitedMediaStream(await response.Content.ReadAsStreamAsync(download.Token), media.MaxBytes);
        try
        {
            return await StoreAsync(services, fetch.BusinessId, media, info.MimeType, body, WhatsAppMediaFiles.Digest(info.Sha256 ?? media.Sha256), download.Token);
        }
        catch (MediaTooLargeException)
        {
            return TooLarge(media);
        }
    }

    private string GraphScheme => new Uri(whatsApp.Value.GraphApiBaseUrl).Scheme;

    private async Task<Outcome> StoreAsync(
        IServiceProvider services, int businessId, WaMedia media, string? graphMimeType, LimitedMediaStream body, byte[]? sha256, CancellationToken ct)
    {
        var uploads = services.GetRequiredService<AttachmentUploads>();
        var store = services.GetRequiredService<IAttachmentStore>();
        const string Mismatch = "The downloaded file did not match WhatsApp's checksum.";

        if (media.Type is "image" or "sticker")
        {
            // At most 5 MB: small enough to decode and re-encode in memory, as web-chat photos are.
            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer, ct);
            if (!body.Matches(sha256))
            {
                return new Retry(Mismatch, Unreachable);
            }
            var (file, error) = AttachmentFiles.Check(buffer.ToArray(), media.Type == "sticker" ? WhatsAppMediaFiles.DefaultName(media) : media.FileName);
            return error is null ? new Stored(await uploads.StoreAsync(businessId, file!, ct)) : Refused(media, error);
        }

        var key = await store.SaveAsync(body, ct);
        var keep = false;
        try
        {
            if (!body.Matches(sha256))
            {
                return new Retry(Mismatch, Unreachable);
            }
            if (media.Type == "document")
            {
                var (document, refusal) = await WhatsAppDocuments.RecogniseAsync(body.Head.ToArray(),
                    () => store.OpenRead(key) ?? throw new IOException("A file just stored could not be read back."),
                    [media.MimeType, graphMimeType], media.FileName, ct);
                if (document is not null)
                {
                    keep = true;
                    return new Stored(Streamed(businessId, AttachmentKind.Document, document.ContentType,
                        AttachmentFiles.NameWithExtension(media.FileName, "document", document.Extension), body.Total, key));
                }
                if (refusal is not null)
                {
                    return Refused(media, refusal);
                }
                if (body.Total > AttachmentFiles.MaxBytes)
                {
                    return Refused(media, WhatsAppDocuments.WrongType);
                }
                // A photo sent as a document: checked and re-encoded like any other photo.
                byte[] content;
                await using (var stored = store.OpenRead(key) ?? throw new IOException("A file just stored could not be read back."))
                using (var copy = new MemoryStream())
                {
                    await stored.CopyToAsync(copy, ct);
                    content = copy.ToArray();
                }
                var (file, error) = AttachmentFiles.Check(content, media.FileName);
                return error is null ? new Stored(await uploads.StoreAsync(businessId, file!, ct))
                    : Refused(media, error == AttachmentFiles.WrongType ? WhatsAppDocuments.WrongType : error);
            }
            if (WhatsAppMediaFiles.AudioOrVideo(body.Head, media.Type) is not { } type)
            {
                return Refused(media, media.Type == "video" ? "This file is not an MP4 or 3GPP video." : "This file is not an AAC, AMR, MP3, M4A or OGG recording.");
            }
            keep = true;
            return new Stored(Streamed(businessId, AttachmentKind.Document, type.ContentType,
                AttachmentFiles.NameWithExtension(media.FileName, WhatsAppMediaFiles.DefaultName(media), type.Extension), body.Total, key));
        }
        finally
        {
            if (!keep)
            {
                await uploads.DeleteFilesAsync([(key, null)], CancellationToken.None);
            }
        }
    }

    private Attachment Streamed(int businessId, AttachmentKind kind, string contentType, string fileName, long size, string key) => new()
    {
        BusinessId = businessId, Kind = kind, ContentType = contentType, FileName = fileName, Size = size, StorageKey = key, CreatedAt = Clock.GetUtcNow(),
    };

    private async Task ApplyAsync(IServiceProvider services, WhatsAppMediaFetch fetch, Outcome outcome, CancellationToken ct)
    {
        var db = services.GetRequiredService<InboxDb>();
        var gate = services.GetRequiredService<WriteGate>();
        var o = options.Value;
        if (outcome is Retry retry && fetch.Attempts >= o.MaxAttempts)
        {
            outcome = NotDownloaded(fetch.Media, retry.Why);
        }
        switch (outcome)
        {
            case Retry r:
            {
                var next = Clock.GetUtcNow() + Backoff.Jittered(o.FirstRetryDelay, o.MaxRetryDelay, fetch.Attempts - 1);
                if (Logger.IsEnabled(LogLevel.Information))
                {
                    Logger.LogInformation("The file of message {MessageId} will be fetched again at {Next} (attempt {Attempt}): {Error}",
                        fetch.MessageId, next, fetch.Attempts, r.Error);
                }
                using (await gate.EnterAsync(ct))
                {
                    await db.WhatsAppMediaFetches.Where(f => f.Id == fetch.Id)
                        .ExecuteUpdateAsync(s => s.SetProperty(f => f.NextAttemptAt, next).SetProperty(f => f.LastError, r.Error), ct);
                }
                return;
            }
            case Failed f:
                Logger.LogWarning("Gave up the file of message {MessageId} after {Attempts} attempts: {Reason}", fetch.MessageId, fetch.Attempts, f.Reason);
                using (await gate.EnterAsync(ct))
                {
                    await using var tx = await db.Database.BeginTransactionAsync(ct);
                    await db.WhatsAppMediaFetches.Where(x => x.Id == fetch.Id).ExecuteUpdateAsync(s => s
                        .SetProperty(x => x.State, WhatsAppMediaFetchState.Failed).SetProperty(x => x.LastError, f.Reason), ct);
                    // A message the shop sent from its phone keeps its label: its FailureReason belongs to its delivery status.
                    await db.Messages.Where(m => m.Id == fetch.MessageId && m.Direction == MessageDirection.Inbound)
                        .ExecuteUpdateAsync(s => s.SetProperty(m => m.FailureReason, f.Reason), ct);
                    await tx.CommitAsync(ct);
                }
                break;
            case Stored s:
                bool attached;
                try
                {
                    using (await gate.EnterAsync(ct))
                    {
                        await using var tx = await db.Database.BeginTransactionAsync(ct);
                        // The contact may have been erased while the file was on its way: then it is not kept.
                        attached = await db.WhatsAppMediaFetches.AnyAsync(x => x.Id == fetch.Id, ct)
                            && !await db.Attachments.AnyAsync(a => a.MessageId == fetch.MessageId, ct);
                        if (attached)
                        {
                            s.Attachment.MessageId = fetch.MessageId;
                            db.Attachments.Add(s.Attachment);
                            await db.SaveChangesAsync(ct);
                            await db.WhatsAppMediaFetches.Where(x => x.Id == fetch.Id).ExecuteDeleteAsync(ct);
                            await tx.CommitAsync(ct);
                        }
                    }
                }
                catch
                {
                    await services.GetRequiredService<AttachmentUploads>().DeleteFilesAsync(s.Attachment, CancellationToken.None);
                    throw;
                }
                if (!attached)
                {
                    await services.GetRequiredService<AttachmentUploads>().DeleteFilesAsync(s.Attachment, CancellationToken.None);
                    return;
                }
                break;
        }
        if (await InboxQueries.MessageAsync(db, fetch.MessageId, ct) is { } view)
        {
            await services.GetRequiredService<InboxNotifier>().MessageChangedAsync(fetch.BusinessId, view);
        }
    }
}
