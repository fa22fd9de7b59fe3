using System.Security.Cryptography;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// What a customer's audio or video file is, decided from its first bytes as for web-chat uploads (never from the
/// type WhatsApp or the sender claimed). Photos and stickers go through <see cref="Attachments.AttachmentFiles"/>, documents
/// through <see cref="WhatsAppDocuments"/>.
/// </summary>
public static class WhatsAppMediaFiles
{
    /// <summary>Enough of the start of a file to recognise every container below.</summary>
    public const int HeadBytes = 16;

    /// <summary>The stored type and extension of an audio (AAC, AMR, MP3, M4A, OGG) or video (MP4, 3GPP) file; null when it is none of them.</summary>
    public static (string ContentType, string Extension)? AudioOrVideo(ReadOnlySpan<byte> head, string type)
    {
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = head[8..12];
            if (brand.StartsWith("3gp"u8))
            {
                return type == "video" ? ("video/3gpp", ".3gp") : ("audio/3gpp", ".3gp");
            }
            return type == "video" ? ("video/mp4", ".mp4") : ("audio/mp4", ".m4a");
        }
        if (type != "audio")
        {
            return null;
        }
        if (head.StartsWith("OggS"u8))
        {
            return ("audio/ogg", ".ogg");
        }
        if (head.StartsWith("#!AMR"u8))
        {
            return ("audio/amr", ".amr");
        }
        if (head.StartsWith("ID3"u8))
        {
            return ("audio/mpeg", ".mp3");
        }
        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0)
        {
            // A frame sync: layer bits 00 are AAC in ADTS framing, anything else is MPEG audio.
            return (head[1] & 0x06) == 0 ? ("audio/aac", ".aac") : ("audio/mpeg", ".mp3");
        }
        return null;
    }

    /// <summary>The name a file without one is offered under.</summary>
    public static string DefaultName(WaMedia media) => media.Type switch
    {
        "audio" => media.Voice ? "voice-message" : "audio",
        "video" => "video",
        "sticker" => "sticker",
        "document" => "document",
        _ => "photo",
    };

    /// <summary>WhatsApp's checksum, which it writes as hexadecimal or base64; null when it is neither.</summary>
    public static byte[]? Digest(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (text.Length == 64 && text.All(char.IsAsciiHexDigit))
        {
            return Convert.FromHexString(text);
        }
        var bytes = new byte[48];
        return Convert.TryFromBase64String(text, bytes, out var written) && written == 32 ? bytes[..32] : null;
    }
}

/// <summary>A file that turned out larger than WhatsApp allows for its type, while it was being read.</summary>
public sealed class MediaTooLargeException() : Exception("The file is larger than WhatsApp allows for its type.");

/// <summary>
/// Reads a download through, refusing it as soon as it passes <paramref name="limit"/> bytes (a server's Content-Length
/// is not trusted), and keeps its first bytes and its SHA-256 on the way, so that the file is never held whole in memory.
/// </summary>
public sealed class LimitedMediaStream(Stream inner, long limit) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _head = new byte[WhatsAppMediaFiles.HeadBytes];
    private int _headLength;

    public long Total { get; private set; }

    public ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

    /// <summary>Whether the bytes read so far have this checksum; true when WhatsApp gave none we can read.</summary>
    public bool Matches(byte[]? expected) => expected is null || CryptographicOperations.FixedTimeEquals(_hash.GetCurrentHash(), expected);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Take(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Take(buffer.AsSpan(offset, read));
        return read;
    }

    private void Take(ReadOnlySpan<byte> chunk)
    {
        Total += chunk.Length;
        if (Total > limit)
        {
            throw new MediaTooLargeException();
        }
        if (_headLength < _head.Length)
        {
            var n = Math.Min(chunk.Length, _head.Length - _headLength);
            chunk[..n].CopyTo(_head.AsSpan(_headLength));
            _headLength += n;
        }
        _hash.AppendData(chunk);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Total; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
