using System.Buffers.Binary;
using System.Text;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>The type a customer's document is stored and served under, and the extension its name is given.</summary>
public sealed record DocumentType(string ContentType, string Extension);

/// <summary>
/// What a customer's WhatsApp document is, decided from its content, never from its name alone: a PDF; a Word, Excel or
/// PowerPoint file (a ZIP holding the main part of its kind; the older binary formats are OLE compound files, which all
/// look alike from outside, so the claimed type picks among those three); or plain text (claimed as such, and UTF-8
/// without NUL). Whatever is kept here is only ever served as a download. Photos sent as documents are checked by
/// <see cref="Attachments.AttachmentFiles"/>. See docs/decisions/0017-inbound-whatsapp-media.md.
/// </summary>
public static class WhatsAppDocuments
{
    public const string WrongType = "This file is not a photo, PDF, Word, Excel, PowerPoint or plain-text document.";
    public const string Macros = "This document contains macros, which the inbox does not keep.";
    public const string NotText = "This file is not plain UTF-8 text.";

    public static readonly DocumentType Pdf = new("application/pdf", ".pdf");
    public static readonly DocumentType Text = new("text/plain; charset=utf-8", ".txt");
    public static readonly DocumentType Docx = new("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx");
    public static readonly DocumentType Xlsx = new("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx");
    public static readonly DocumentType Pptx = new("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx");
    public static readonly DocumentType Doc = new("application/msword", ".doc");
    public static readonly DocumentType Xls = new("application/vnd.ms-excel", ".xls");
    public static readonly DocumentType Ppt = new("application/vnd.ms-powerpoint", ".ppt");

    private static readonly (string MainPart, DocumentType Type)[] OpenXmlParts =
        [("word/document.xml", Docx), ("xl/workbook.xml", Xlsx), ("ppt/presentation.xml", Pptx)];

    private static readonly DocumentType[] CompoundTypes = [Doc, Xls, Ppt];

    private static ReadOnlySpan<byte> CompoundFileSignature => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    /// <summary>
    /// The document's type; or the reason it is refused; or neither, when it is none of these kinds (it may still be a photo).
    /// </summary>
    /// <param name="head">The file's first bytes.</param>
    /// <param name="open">Opens the whole file again, seekable, for the checks that need more than its start.</param>
    /// <param name="claimedTypes">The types WhatsApp and the sender's phone gave (never trusted alone).</param>
    public static async Task<(DocumentType? Type, string? Refusal)> RecogniseAsync(
        byte[] head, Func<Stream> open, IEnumerable<string?> claimedTypes, string? fileName, CancellationToken ct)
    {
        if (head.AsSpan().StartsWith("%PDF-"u8))
        {
            return (Pdf, null);
        }
        var claimed = claimedTypes.OfType<string>().Select(t => t.Split(';')[0].Trim()).ToList();
        var extension = Path.GetExtension(fileName ?? "");
        if (head.AsSpan().StartsWith("PK\u0003\u0004"u8))
        {
            await using var zip = open();
            return await OpenXmlAsync(zip, ct);
        }
        if (head.AsSpan().StartsWith(CompoundFileSignature))
        {
            var type = CompoundTypes.FirstOrDefault(t => claimed.Contains(t.ContentType, StringComparer.OrdinalIgnoreCase))
                ?? CompoundTypes.FirstOrDefault(t => string.Equals(t.Extension, extension, StringComparison.OrdinalIgnoreCase));
            return (type, type is null ? WrongType : null);
        }
        if (claimed.Contains("text/plain", StringComparer.OrdinalIgnoreCase) || string.Equals(extension, ".txt", StringComparison.OrdinalIgnoreCase))
        {
            await using var text = open();
            return await IsTextAsync(text, ct) ? (Text, null) : (null, NotText);
        }
        return (null, null);
    }

    /// <summary>A Word, Excel or PowerPoint file: a ZIP with a content-types list and the main part of its kind.</summary>
    private static async Task<(DocumentType? Type, string? Refusal)> OpenXmlAsync(Stream file, CancellationToken ct)
    {
        if (await ZipPartNamesAsync(file, ct) is not { } names || !names.Contains("[Content_Types].xml"))
        {
            return (null, WrongType);
        }
        // A macro-enabled file renamed .docx: Office would refuse it, and a shop has no use for the macros.
        if (names.Any(n => n.EndsWith("vbaProject.bin", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, Macros);
        }
        var type = OpenXmlParts.FirstOrDefault(p => names.Contains(p.MainPart)).Type;
        return (type, type is null ? WrongType : null);
    }

    /// <summary>An Office file has a few dozen parts; a directory far larger is not one, and is not read into memory.</summary>
    private const int MaxParts = 10_000;
    private const int MaxDirectoryBytes = 4 * 1024 * 1024;
    private const int EndRecordBytes = 22;

    /// <summary>
    /// The names in a ZIP's central directory (case-insensitive, as package part names are), read within bounds and
    /// without decompressing anything; null when there is no such directory, or one larger than an Office file's
    /// (ZIP64 included: no Office file within WhatsApp's 100 MB needs it).
    /// </summary>
    public static async Task<HashSet<string>?> ZipPartNamesAsync(Stream file, CancellationToken ct)
    {
        if (!file.CanSeek || file.Length < EndRecordBytes)
        {
            return null;
        }
        var tail = new byte[(int)Math.Min(file.Length, EndRecordBytes + ushort.MaxValue)];
        file.Seek(-tail.Length, SeekOrigin.End);
        await file.ReadExactlyAsync(tail, ct);
        var end = tail.AsSpan().LastIndexOf("PK\u0005\u0006"u8);
        if (end < 0 || tail.Length - end < EndRecordBytes)
        {
            return null;
        }
        var record = tail.AsSpan(end);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        if (count > MaxParts || size > MaxDirectoryBytes || offset + (long)size > file.Length)
        {
            return null;
        }
        var directory = new byte[size];
        file.Seek(offset, SeekOrigin.Begin);
        await file.ReadExactlyAsync(directory, ct);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            const int HeaderBytes = 46;
            var header = directory.AsSpan(at);
            if (header.Length < HeaderBytes || !header.StartsWith("PK\u0001\u0002"u8))
            {
                return null;
            }
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
            var next = at + HeaderBytes + nameLength + BinaryPrimitives.ReadUInt16LittleEndian(header[30..]) + BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
            if (next > directory.Length)
            {
                return null;
            }
            names.Add(Encoding.UTF8.GetString(directory, at + HeaderBytes, nameLength));
            at = next;
        }
        return names;
    }

    /// <summary>Whether the whole stream is valid UTF-8 (a byte order mark allowed) without a NUL byte.</summary>
    public static async Task<bool> IsTextAsync(Stream stream, CancellationToken ct)
    {
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        var buffer = new byte[81920];
        var chars = new char[buffer.Length + 2];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            {
                if (buffer.AsSpan(0, read).Contains((byte)0))
                {
                    return false;
                }
                // Throws on an invalid sequence; one cut at the buffer's end is kept by the decoder for the next read.
                decoder.GetChars(buffer, 0, read, chars, 0, flush: false);
            }
            decoder.GetChars([], 0, 0, chars, 0, flush: true);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
