using SkiaSharp;

namespace BusinessInbox.Profile;

/// <summary>
/// Checks an uploaded logo by its content (PNG, JPEG or WebP, whatever the file is called), and turns it
/// into a square-bounded PNG of at most 512 pixels. Re-encoding drops every bit of metadata (camera, location).
/// </summary>
public static class LogoImage
{
    public const long MaxBytes = 2 * 1024 * 1024;
    private const int MaxSide = 512;

    public static async Task<(byte[]? Png, string? Error)> ProcessAsync(Stream upload, long length, CancellationToken ct)
    {
        if (length > MaxBytes)
        {
            return (null, $"The logo is {length / (1024.0 * 1024):0.#} MB; it can be at most 2 MB.");
        }
        using var buffer = new MemoryStream();
        await upload.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxBytes)
        {
            return (null, "The logo can be at most 2 MB.");
        }
        buffer.Position = 0;
        using var codec = SKCodec.Create(buffer);
        if (codec is null || codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Webp))
        {
            return (null, "The logo must be a PNG, JPEG or WebP image.");
        }
        using var decoded = SKBitmap.Decode(codec);
        if (decoded is null)
        {
            return (null, "The image could not be read; try saving it again as PNG or JPEG.");
        }
        using var oriented = Orient(decoded, codec.EncodedOrigin);
        var scale = Math.Min(1.0, (double)MaxSide / Math.Max(oriented.Width, oriented.Height));
        var size = new SKImageInfo(Math.Max(1, (int)Math.Round(oriented.Width * scale)), Math.Max(1, (int)Math.Round(oriented.Height * scale)));
        using var resized = oriented.Resize(size, new SKSamplingOptions(SKCubicResampler.Mitchell));
        using var image = SKImage.FromBitmap(resized);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return (png.ToArray(), null);
    }

    // Photos from phones carry their rotation as metadata, which re-encoding drops: apply it to the pixels.
    internal static SKBitmap Orient(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft)
        {
            return bitmap.Copy();
        }
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var result = new SKBitmap(swap ? bitmap.Height : bitmap.Width, swap ? bitmap.Width : bitmap.Height);
        using var canvas = new SKCanvas(result);
        switch (origin)
        {
            case SKEncodedOrigin.BottomRight:
                canvas.RotateDegrees(180, bitmap.Width / 2f, bitmap.Height / 2f);
                break;
            case SKEncodedOrigin.RightTop:
                canvas.Translate(result.Width, 0);
                canvas.RotateDegrees(90);
                break;
            case SKEncodedOrigin.LeftBottom:
                canvas.Translate(0, result.Height);
                canvas.RotateDegrees(270);
                break;
        }
        using var source = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(source, 0, 0, SKSamplingOptions.Default);
        return result;
    }
}
