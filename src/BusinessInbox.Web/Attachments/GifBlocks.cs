namespace BusinessInbox.Attachments;

/// <summary>
/// Rewrites a GIF keeping only what draws it: the header and colour tables, image frames with their timing
/// (graphic control) blocks, and the looping block. Comments, plain-text blocks and every other application
/// block (XMP and other metadata live there) are dropped, so an animation stays an animation without its metadata.
/// </summary>
public static class GifBlocks
{
    /// <summary>The cleaned GIF, or null when the file is not a well-formed GIF.</summary>
    public static byte[]? KeepPicturesOnly(byte[] gif)
    {
        if (gif.Length < 13 || !(gif.AsSpan().StartsWith("GIF87a"u8) || gif.AsSpan().StartsWith("GIF89a"u8)))
        {
            return null;
        }
        using var output = new MemoryStream(gif.Length);
        var at = 13;
        var screenFlags = gif[10];
        if ((screenFlags & 0x80) != 0)
        {
            at += 3 << ((screenFlags & 7) + 1);
        }
        if (at > gif.Length)
        {
            return null;
        }
        output.Write(gif, 0, at);
        while (at < gif.Length)
        {
            var start = at;
            switch (gif[at])
            {
                case 0x3B:
                    output.WriteByte(0x3B);
                    return output.ToArray();
                case 0x2C:
                    if (at + 10 > gif.Length)
                    {
                        return null;
                    }
                    var imageFlags = gif[at + 9];
                    at += 10;
                    if ((imageFlags & 0x80) != 0)
                    {
                        at += 3 << ((imageFlags & 7) + 1);
                    }
                    at += 1; // LZW minimum code size
                    if (SkipSubBlocks(gif, ref at) is false)
                    {
                        return null;
                    }
                    output.Write(gif, start, at - start);
                    break;
                case 0x21:
                    if (at + 2 > gif.Length)
                    {
                        return null;
                    }
                    var label = gif[at + 1];
                    var keep = label == 0xF9 || (label == 0xFF && IsLooping(gif, at + 2));
                    at += 2;
                    if (SkipSubBlocks(gif, ref at) is false)
                    {
                        return null;
                    }
                    if (keep)
                    {
                        output.Write(gif, start, at - start);
                    }
                    break;
                default:
                    return null;
            }
        }
        // Many encoders leave the trailer out; browsers show such files all the same.
        output.WriteByte(0x3B);
        return output.ToArray();
    }

    private static bool IsLooping(byte[] gif, int at) =>
        at + 12 <= gif.Length && gif[at] == 11
        && (gif.AsSpan(at + 1, 11).SequenceEqual("NETSCAPE2.0"u8) || gif.AsSpan(at + 1, 11).SequenceEqual("ANIMEXTS1.0"u8));

    private static bool SkipSubBlocks(byte[] gif, ref int at)
    {
        while (true)
        {
            if (at >= gif.Length)
            {
                return false;
            }
            var size = gif[at];
            at += 1 + size;
            if (size == 0)
            {
                return at <= gif.Length;
            }
        }
    }
}
