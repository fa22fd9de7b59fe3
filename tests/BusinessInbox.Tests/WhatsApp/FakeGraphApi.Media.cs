using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace BusinessInbox.Tests.WhatsApp;

/// <summary>A customer's file the fake holds, as WhatsApp keeps it behind a media id.</summary>
public sealed class FakeMedia(byte[] content, string mimeType)
{
    public byte[] Content { get; } = content;
    public string MimeType { get; } = mimeType;
    /// <summary>The size the Graph API reports; the real one unless a test says otherwise.</summary>
    public long? ReportedSize { get; set; } = content.Length;
    /// <summary>Answers given, in order, to the next requests for this file (its address or its bytes) instead of the file.</summary>
    public ConcurrentQueue<GraphAnswer> Failures { get; } = new();
    /// <summary>While set, downloads wait for it: a test can see what happens before the file arrives.</summary>
    public TaskCompletionSource? Hold { get; set; }
    private int _downloads;

    public int Downloads => _downloads;

    /// <summary>The token that asked for the download address: the download must carry the same one.</summary>
    public string? IssuedTo { get; set; }

    public void Downloaded() => Interlocked.Increment(ref _downloads);

    /// <summary>WhatsApp's checksum of the file.</summary>
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Content));
}

/// <summary>
/// The media endpoints: <c>GET /{version}/{media-id}</c> answers with a download address on this fake (its
/// <c>/media-download/{id}</c>), which serves the bytes to the same Bearer token, as Meta's lookaside host does.
/// </summary>
public sealed partial class FakeGraphApi
{
    public ConcurrentDictionary<string, FakeMedia> Media { get; } = new();

    public FakeMedia AddMedia(string id, byte[] content, string mimeType) => Media[id] = new FakeMedia(content, mimeType);

    /// <summary>The next <paramref name="times"/> requests for this file fail with HTTP 500 (a Graph error object), then it is served.</summary>
    public void FailMedia(string id, int times, GraphAnswer? answer = null)
    {
        for (var i = 0; i < times; i++)
        {
            Media[id].Failures.Enqueue(answer ?? GraphAnswer.Error(2, "Service temporarily unavailable", status: 500));
        }
    }

    private const string DownloadPath = "/media-download/";

    private async Task<bool> MediaAsync(HttpContext http, GraphRequest request)
    {
        var path = request.Path;
        var downloading = path.StartsWith(DownloadPath, StringComparison.Ordinal);
        var id = downloading ? path[DownloadPath.Length..] : path.Split('/') is [_, _, var last] ? last : null;
        if (request.Method != "GET" || id is null || !Media.TryGetValue(id, out var media))
        {
            return false;
        }
        if (media.Failures.TryDequeue(out var failure))
        {
            http.Response.StatusCode = failure.Status;
            await http.Response.WriteAsJsonAsync(failure.Body);
            return true;
        }
        if (!downloading)
        {
            media.IssuedTo = request.Authorization;
            await http.Response.WriteAsJsonAsync(new
            {
                messaging_product = "whatsapp", url = $"{BaseUrl}{DownloadPath}{id}", mime_type = media.MimeType, sha256 = media.Sha256,
                file_size = media.ReportedSize, id,
            });
            return true;
        }
        if (string.IsNullOrEmpty(request.Authorization) || request.Authorization != media.IssuedTo)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return true;
        }
        if (media.Hold is { } hold)
        {
            await hold.Task.WaitAsync(http.RequestAborted);
        }
        media.Downloaded();
        http.Response.ContentType = media.MimeType;
        await http.Response.Body.WriteAsync(media.Content, http.RequestAborted);
        return true;
    }
}
