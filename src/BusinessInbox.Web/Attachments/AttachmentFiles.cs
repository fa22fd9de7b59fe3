using System.Text;
using BusinessInbox.Profile;
using SkiaSharp;

namespace BusinessInbox.Attachments;

/// <summary>A file ready to store: its kind and type as its content shows them, images re-encoded without metadata.</summary>
public sealed record CheckedFile(AttachmentKind Kind, string ContentType, string FileName, byte[] Content, byte[]? Thumbnail, int? Width, int? Height);

/// <summary>
/// Decides what an upload is by its content (magic bytes and a real decode), never by its name or declared type, and
/// prepares it for storage: JPEG, PNG and WebP are decoded and encoded again, which leaves camera and location metadata
/// behind; GIFs keep their frames but lose every block that is not picture or looping (see docs/decisions).
/// </summary>
public static class AttachmentFiles
{
    public const long MaxBytes = 10 * 1024 * 1024;
    /// <summary>The whole multipart request: the file plus the caption and form fields.</summary>
    public const long MaxRequestBytes = MaxBytes + 64 * 1024;
    public const int ThumbnailSide = 320;
    private const int MaxSide = 4096;
    // A small file can claim enormous dimensions; decoding it would exhaust memory.
    private const long MaxPixels = 50_000_000;

    public const string WrongType = "This file is not a JPEG, PNG, WebP, GIF or PDF.";
    public const string TooLarge = "This file is larger than 10 MB.";
    public const string Unreadable = "This image could not be read; try saving it again as JPEG or PNG.";
    public const string TooManyPixels = "This image has too many pixels; send a smaller one.";

    public static (CheckedFile? File, string? Error) Check(byte[] content, string? declaredName)
    {
        if (content.Length > MaxBytes)
        {
            return (null, TooLarge);
        }
        if (content.AsSpan().StartsWith("%PDF-"u8))
        {
            return (new CheckedFile(AttachmentKind.Document, "application/pdf", NameWithExtension(declaredName, "document", ".pdf"),
                content, null, null, null), null);
        }
        using var codec = SKCodec.Create(new SKMemoryStream(content));
        if (codec is null || codec.EncodedFormat is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Webp or SKEncodedImageFormat.Gif))
        {
            return (null, WrongType);
        }
        if ((long)codec.Info.Width * codec.Info.Height > MaxPixels)
        {
            return (null, TooManyPixels);
        }
        using var decoded = SKBitmap.Decode(codec);
        if (decoded is null)
        {
            return (null, Unreadable);
        }
        if (codec.EncodedFormat == SKEncodedImageFormat.Gif)
        {
            var clean = GifBlocks.KeepPicturesOnly(content);
            if (clean is null)
            {
                return (null, Unreadable);
            }
            return (new CheckedFile(AttachmentKind.Image, "image/gif", NameWithExtension(declaredName, "photo", ".gif"),
                clean, Thumbnail(decoded), decoded.Width, decoded.Height), null);
        }

        using var oriented = LogoImage.Orient(decoded, codec.EncodedOrigin);
        using var bounded = Scale(oriented, MaxSide);
        var (format, type, extension, quality) = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Jpeg => (SKEncodedImageFormat.Jpeg, "image/jpeg", ".jpg", 88),
            SKEncodedImageFormat.Png => (SKEncodedImageFormat.Png, "image/png", ".png", 100),
            _ => (SKEncodedImageFormat.Webp, "image/webp", ".webp", 88),
        };
        using var image = SKImage.FromBitmap(bounded);
        using var encoded = image.Encode(format, quality);
        return (new CheckedFile(AttachmentKind.Image, type, NameWithExtension(declaredName, "photo", extension),
            encoded.ToArray(), Thumbnail(bounded), bounded.Width, bounded.Height), null);
    }

    private static byte[] Thumbnail(SKBitmap bitmap)
    {
        using var small = Scale(bitmap, ThumbnailSide);
        using var image = SKImage.FromBitmap(small);
        using var encoded = image.Encode(SKEncodedImageFormat.Webp, 80);
        return encoded.ToArray();
    }

    /// <summary>A copy no longer than <paramref name="side"/> on its longest side (never enlarged).</summary>
    private static SKBitmap Scale(SKBitmap bitmap, int side)
    {
        var scale = Math.Min(1.0, (double)side / Math.Max(bitmap.Width, bitmap.Height));
        if (scale >= 1.0)
        {
            return bitmap.Copy();
        }
        var size = new SKImageInfo(Math.Max(1, (int)Math.Round(bitmap.Width * scale)), Math.Max(1, (int)Math.Round(bitmap.Height * scale)));
        return bitmap.Resize(size, new SKSamplingOptions(SKCubicResampler.Mitchell));
    }

    /// <summary>
    /// The sender's file name, reduced to a plain name, with the extension of what the file really is
    /// (a JPEG called "scan.png" is offered back as "scan.jpg").
    /// </summary>
    public static string NameWithExtension(string? declared, string fallback, string extension)
    {
        var name = Path.GetFileName((declared ?? "").Replace('\\', '/'));
        var plain = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (!char.IsControl(c) && c is not ('"' or '/' or ':' or '<' or '>' or '|' or '?' or '*'))
            {
                plain.Append(c);
            }
        }
        var stem = Path.GetFileNameWithoutExtension(plain.ToString()).Trim().TrimEnd('.');
        if (stem.Length == 0)
        {
            stem = fallback;
        }
        if (stem.Length > 120)
        {
            stem = stem[..120];
        }
        return stem + extension;
    }
}
