using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace BusinessInbox.Tests.Attachments;

/// <summary>Files as phones and people make them: photos with location metadata, a disguised program, an animation.</summary>
public static class TestFiles
{
    public const string GpsSecret = "SECRET-GPS-52.5200N";

    /// <summary>A JPEG photo carrying an Exif block with a GPS section and a description that names a place.</summary>
    public static byte[] JpegWithGps(int width = 640, int height = 480)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.SteelBlue);
            using var paint = new SKPaint { Color = SKColors.Orange };
            canvas.DrawCircle(width / 2f, height / 2f, height / 3f, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 90).ToArray();

        // TIFF, big-endian: IFD0 (ImageDescription, GPSInfo pointer) at 8, the GPS IFD (GPSLatitudeRef "N") at 38, the text at 56.
        var text = Encoding.ASCII.GetBytes(GpsSecret + "\0");
        var tiff = new byte[56 + text.Length];
        "MM\0*"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(8), 2);
        Entry(tiff, 10, tag: 0x010E, type: 2, count: (uint)text.Length, value: 56);
        Entry(tiff, 22, tag: 0x8825, type: 4, count: 1, value: 38);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(38), 1);
        Entry(tiff, 40, tag: 0x0001, type: 2, count: 2, value: 0x4E000000);
        text.CopyTo(tiff, 56);

        var exif = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var segment = new byte[4 + exif.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(exif.Length + 2));
        exif.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    private static void Entry(byte[] tiff, int at, ushort tag, ushort type, uint count, uint value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at), tag);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at + 2), type);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(at + 4), count);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(at + 8), value);
    }

    /// <summary>A Windows program ("MZ" header) given a PDF's name.</summary>
    public static byte[] ExecutableCalledPdf()
    {
        var bytes = new byte[4096];
        "MZ"u8.CopyTo(bytes);
        Encoding.ASCII.GetBytes("This program cannot be run in DOS mode.").CopyTo(bytes, 78);
        return bytes;
    }

    public static byte[] Pdf() => Encoding.ASCII.GetBytes(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    /// <summary>A looping two-frame 1×1 GIF with a comment block that should not survive.</summary>
    public static byte[] AnimatedGifWithComment()
    {
        byte[] frame = [0x21, 0xF9, 0x04, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00];
        return
        [
            .. "GIF89a"u8, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
            0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x03, 0x01, 0x00, 0x00, 0x00,
            0x21, 0xFE, 0x0B, .. "SECRET-NOTE"u8, 0x00,
            .. frame, .. frame,
            0x3B,
        ];
    }

    public static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(needle)) >= 0;
}
