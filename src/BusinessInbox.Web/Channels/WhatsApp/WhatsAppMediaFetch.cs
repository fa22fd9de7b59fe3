using System.ComponentModel.DataAnnotations;
using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>The media object of a customer's image, video, audio, document or sticker message, as the webhook names it.</summary>
/// <param name="Type">WhatsApp's message type: image, video, audio, document or sticker.</param>
public sealed record WaMedia(string Type, string MediaId, string? MimeType, string? Sha256, string? FileName, bool Voice)
{
    /// <summary>WhatsApp's own limit for this type (its Cloud API refuses larger files, so a larger one is not a real delivery).</summary>
    public long MaxBytes => Type switch
    {
        "document" => 100L * 1024 * 1024,
        "video" or "audio" => 16L * 1024 * 1024,
        "sticker" => 500L * 1024,
        _ => 5L * 1024 * 1024,
    };

    /// <summary>How the thread names it in a reason: "Photo couldn't be downloaded: …".</summary>
    public string Label => Type switch
    {
        "document" => "Document",
        "video" => "Video",
        "audio" => Voice ? "Voice message" : "Audio",
        "sticker" => "Sticker",
        _ => "Photo",
    };

    public static bool IsMediaType(string? type) => type is "image" or "video" or "audio" or "document" or "sticker";
}

public enum WhatsAppMediaFetchState
{
    /// <summary>Waiting for its next attempt (or being downloaded).</summary>
    Pending = 0,
    /// <summary>Given up: the message shows <see cref="WhatsAppMediaFetch.LastError"/> as its reason. A fetch that succeeds is deleted.</summary>
    Failed = 1,
}

/// <summary>
/// A customer's file still to be fetched from the Graph API. Written in the same transaction as its message, so the
/// message is stored (and the webhook answered) without waiting for the download, and the download is never forgotten.
/// </summary>
public class WhatsAppMediaFetch
{
    public long Id { get; set; }
    public int BusinessId { get; set; }
    public long MessageId { get; set; }
    public Message Message { get; set; } = null!;
    /// <summary>WhatsApp's message type (image, video, audio, document, sticker).</summary>
    public required string MediaType { get; set; }
    public required string MediaId { get; set; }
    /// <summary>What the webhook claimed; the stored type is decided from the content.</summary>
    public string? MimeType { get; set; }
    public string? Sha256 { get; set; }
    public string? FileName { get; set; }
    public bool Voice { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public WhatsAppMediaFetchState State { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public WaMedia Media => new(MediaType, MediaId, MimeType, Sha256, FileName, Voice);

    public static WhatsAppMediaFetch For(WaMedia media, Message message, DateTimeOffset now) => new()
    {
        BusinessId = message.BusinessId,
        Message = message,
        MediaType = media.Type,
        MediaId = Cut(media.MediaId, 200)!,
        MimeType = Cut(media.MimeType, 100),
        Sha256 = Cut(media.Sha256, 100),
        FileName = Cut(media.FileName, 255),
        Voice = media.Voice,
        NextAttemptAt = now,
        CreatedAt = now,
    };

    private static string? Cut(string? text, int length) => text is not null && text.Length > length ? text[..length] : text;
}

internal sealed class WhatsAppMediaFetchConfiguration : IEntityTypeConfiguration<WhatsAppMediaFetch>
{
    public void Configure(EntityTypeBuilder<WhatsAppMediaFetch> b)
    {
        b.Ignore(x => x.Media);
        b.Property(x => x.MediaType).HasMaxLength(20);
        b.Property(x => x.MediaId).HasMaxLength(200);
        b.Property(x => x.MimeType).HasMaxLength(100);
        b.Property(x => x.Sha256).HasMaxLength(100);
        b.Property(x => x.FileName).HasMaxLength(255);
        b.Property(x => x.LastError).HasMaxLength(500);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId).OnDelete(DeleteBehavior.Cascade);
        // Goes with its message: erasing a contact leaves no fetch behind.
        b.HasOne(x => x.Message).WithOne().HasForeignKey<WhatsAppMediaFetch>(x => x.MessageId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.MessageId).IsUnique();
        b.HasIndex(x => new { x.State, x.NextAttemptAt });
    }
}

public sealed class WhatsAppMediaOptions
{
    public const string Section = "WhatsApp:Media";

    /// <summary>Attempts before a file is given up and the message shows why.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>First retry delay; each further attempt doubles it (with jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long one download may take (a 100 MB document on a slow line); the Graph API calls keep WhatsApp:RequestTimeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the worker looks for fetches whose retry is due when nobody wakes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
