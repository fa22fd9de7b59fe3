using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using BusinessInbox.Attachments;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Attachments;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using static BusinessInbox.Tests.WhatsApp.WhatsAppWorld;

namespace BusinessInbox.Tests.WhatsApp;

/// <summary>Word, Excel, PowerPoint and text files customers send on WhatsApp, and files the shop sends from its own phone.</summary>
public sealed class DocumentTests
{
    private const string From = "16505551234";
    private const string DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static Dictionary<string, object?> Document(string wamid, string mediaId, string mimeType, string? filename) => new Dictionary<string, object?>
    {
        ["from"] = From, ["id"] = wamid, ["timestamp"] = "1739321024", ["type"] = "document",
        ["document"] = new { id = mediaId, mime_type = mimeType, filename },
    };

    private static string Delivery(params object[] messages) => Payload(Entry(Messages(From, "Sheena Nelson", messages)));

    /// <summary>An Office Open XML package holding these parts (each a tiny XML document).</summary>
    private static byte[] Package(params string[] parts)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var part in parts)
            {
                using var writer = new StreamWriter(zip.CreateEntry(part).Open());
                writer.Write("<?xml version=\"1.0\"?><x/>");
            }
        }
        return buffer.ToArray();
    }

    private static readonly byte[] Docx = Package("[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml");

    private static readonly byte[] Xlsx = Package("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml");

    private static byte[] OldWord() => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[4000]];

    private static readonly byte[] Note = Encoding.UTF8.GetBytes("Order for Friday:\n2 × sourdough, 1 × croissant — pick-up at 9.\n");

    private static Task<Attachment?> StoredAsync(WhatsAppWorld world, string wamid) => Eventually.ReturnsAsync(
        () => world.App.WithDbAsync(db => db.Attachments.AsNoTracking().SingleOrDefaultAsync(a => a.Message.ExternalId == wamid)),
        a => a is not null, $"the file of {wamid} to be stored");

    private static Task<Message> ReasonAsync(WhatsAppWorld world, string wamid) => Eventually.ReturnsAsync(
        () => world.App.WithDbAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.ExternalId == wamid)),
        m => m.FailureReason is not null, $"{wamid} to show why its file is missing");

    private static List<string> StoredFiles(WhatsAppWorld world)
    {
        var root = Path.Combine(world.App.DataPath, "attachments");
        return Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToList() : [];
    }

    [Fact]
    public async Task Word_Excel_and_text_files_from_a_customer_are_kept_and_staff_download_them_under_their_name()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        var changed = new ConcurrentQueue<MessageView>();
        staff.Hub.On<MessageView>(nameof(IInboxClient.MessageChanged), changed.Enqueue);
        var docx = world.Graph.AddMedia("media-docx", Docx, DocxType);
        world.Graph.AddMedia("media-xlsx", Xlsx, XlsxType);
        world.Graph.AddMedia("media-txt", Note, "text/plain");
        world.Graph.AddMedia("media-doc", OldWord(), "application/msword");

        await world.PostOkAsync(Delivery(
            Document("wamid.docx", "media-docx", DocxType, "Order form.docx"),
            Document("wamid.xlsx", "media-xlsx", XlsxType, "../../prices:march.xlsx"),
            Document("wamid.txt", "media-txt", "text/plain", "note.txt"),
            Document("wamid.doc", "media-doc", "application/msword", "Letter.doc")));

        var stored = new List<Attachment>();
        foreach (var wamid in new[] { "wamid.docx", "wamid.xlsx", "wamid.txt", "wamid.doc" })
        {
            stored.Add((await StoredAsync(world, wamid))!);
        }
        stored.Select(a => (a.Kind, a.ContentType, a.FileName)).Should().Equal(
            (AttachmentKind.Document, DocxType, "Order form.docx"),
            (AttachmentKind.Document, XlsxType, "pricesmarch.xlsx"),
            (AttachmentKind.Document, "text/plain; charset=utf-8", "note.txt"),
            (AttachmentKind.Document, "application/msword", "Letter.doc"));
        stored.Should().OnlyContain(a => a.ThumbnailKey == null);
        (await world.MessagesAsync()).Should().OnlyContain(m => m.FailureReason == null);
        await Eventually.ReturnsAsync(() => Task.FromResult(changed.Count(m => m.Attachment is not null)), n => n == 4,
            "the open thread to be told each file arrived");
        changed.Single(m => m.Attachment?.FileName == "Order form.docx").Attachment!.Kind.Should().Be(AttachmentKind.Document);

        var owner = (await world.App.SignInAsync(world.Shop.OwnerEmail)).Client;
        foreach (var (attachment, content) in stored.Zip(new[] { Docx, Xlsx, Note, OldWord() }))
        {
            using var download = await owner.GetAsync($"/inbox/attachments/{attachment.Id}");
            download.StatusCode.Should().Be(HttpStatusCode.OK);
            download.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment", "a document is never shown in the inbox's own origin");
            download.Content.Headers.ContentDisposition.FileNameStar.Should().Be(attachment.FileName);
            download.Content.Headers.ContentType!.ToString().Should().Be(attachment.ContentType);
            download.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
            (await download.Content.ReadAsByteArrayAsync()).Should().Equal(content);
        }
        docx.Downloads.Should().Be(1);

        var contactId = await world.App.WithDbAsync(db => db.Contacts.Select(c => c.Id).SingleAsync());
        using var archive = new ZipArchive(await (await owner.GetAsync($"/contacts/{contactId}/data")).Content.ReadAsStreamAsync());
        archive.Entries.Select(e => e.FullName).Should().Contain([$"files/{stored[0].Id}-Order form.docx", $"files/{stored[2].Id}-note.txt"]);
    }

    [Fact]
    public async Task A_file_that_is_not_the_document_it_claims_to_be_is_refused_with_a_reason_and_not_kept()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        // ZIP's signature and nothing else, called a Word document.
        world.Graph.AddMedia("media-fake-docx", [.. "PK\u0003\u0004"u8, .. new byte[1500]], DocxType);
        // A real ZIP, but not an Office document.
        world.Graph.AddMedia("media-zip", Package("setup.exe", "readme.txt"), DocxType);
        world.Graph.AddMedia("media-macros", Package("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), DocxType);
        world.Graph.AddMedia("media-not-text", [.. "MZ"u8, 0x90, 0x00, 0x03, .. new byte[200]], "text/plain");
        world.Graph.AddMedia("media-exe", TestFiles.ExecutableCalledPdf(), "application/octet-stream");

        await world.PostOkAsync(Delivery(
            Document("wamid.fake", "media-fake-docx", DocxType, "Contract.docx"),
            Document("wamid.zip", "media-zip", DocxType, "Contract.docx"),
            Document("wamid.macros", "media-macros", DocxType, "Invoice.docx"),
            Document("wamid.nottext", "media-not-text", "text/plain", "readme.txt"),
            Document("wamid.exe", "media-exe", "application/octet-stream", "tool.exe")));

        const string NotADocument = "Document couldn't be stored: this file is not a photo, PDF, Word, Excel, PowerPoint or plain-text document";
        (await ReasonAsync(world, "wamid.fake")).FailureReason.Should().Be(NotADocument);
        (await ReasonAsync(world, "wamid.zip")).FailureReason.Should().Be(NotADocument);
        (await ReasonAsync(world, "wamid.macros")).FailureReason.Should().Be("Document couldn't be stored: this document contains macros, which the inbox does not keep");
        (await ReasonAsync(world, "wamid.nottext")).FailureReason.Should().Be("Document couldn't be stored: this file is not plain UTF-8 text");
        (await ReasonAsync(world, "wamid.exe")).FailureReason.Should().Be(NotADocument);

        (await world.App.WithDbAsync(db => db.Attachments.CountAsync())).Should().Be(0);
        StoredFiles(world).Should().BeEmpty("a refused document leaves nothing on disk");
        (await world.MessagesAsync()).Select(m => m.Body).Should().Contain("📄 Document: Contract.docx", "the message itself is kept with its label");
    }

    [Fact]
    public async Task Another_business_cannot_download_a_customers_document()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var other = await world.App.CreateBusinessAsync("other-shop");
        world.Graph.AddMedia("media-docx", Docx, DocxType);
        await world.PostOkAsync(Delivery(Document("wamid.docx", "media-docx", DocxType, "Order form.docx")));
        var attachment = (await StoredAsync(world, "wamid.docx"))!;

        var owner = (await world.App.SignInAsync(world.Shop.OwnerEmail)).Client;
        var stranger = (await world.App.SignInAsync(other.OwnerEmail)).Client;

        (await owner.GetAsync($"/inbox/attachments/{attachment.Id}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await stranger.GetAsync($"/inbox/attachments/{attachment.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.GetAsync($"/c/other-shop/attachments/{attachment.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await world.App.CreateClient().GetAsync($"/c/wa-shop/attachments/{attachment.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound,
            "the web-chat page serves only files of web-chat threads");
    }

    private static Dictionary<string, object> Echo(string id, string type, object media) => new Dictionary<string, object>
    {
        ["from"] = "15550783881", ["to"] = From, ["id"] = id, ["timestamp"] = "1739321200", ["type"] = type, [type] = media,
    };

    [Fact]
    public async Task A_photo_and_a_document_sent_from_the_shops_phone_are_fetched_onto_their_messages()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        var changed = new ConcurrentQueue<MessageView>();
        staff.Hub.On<MessageView>(nameof(IInboxClient.MessageChanged), changed.Enqueue);
        world.Graph.AddMedia("media-echo-photo", TestFiles.JpegWithGps(), "image/jpeg");
        world.Graph.AddMedia("media-echo-pdf", TestFiles.Pdf(), "application/pdf");
        world.Graph.AddMedia("media-echo-gone", TestFiles.Pdf(), "application/pdf");
        world.Graph.FailMedia("media-echo-gone", 1, GraphAnswer.Error(100, "Object does not exist"));

        await world.PostOkAsync(Echoes(
            Echo("wamid.echo-photo", "image", new { id = "media-echo-photo", mime_type = "image/jpeg", caption = "Here it is" }),
            Echo("wamid.echo-pdf", "document", new { id = "media-echo-pdf", mime_type = "application/pdf", filename = "Price list.pdf" }),
            Echo("wamid.echo-gone", "document", new { id = "media-echo-gone", mime_type = "application/pdf", filename = "Old.pdf" })));

        var photo = (await StoredAsync(world, "wamid.echo-photo"))!;
        var pdf = (await StoredAsync(world, "wamid.echo-pdf"))!;
        (photo.Kind, photo.ContentType).Should().Be((AttachmentKind.Image, "image/jpeg"));
        (pdf.ContentType, pdf.FileName).Should().Be(("application/pdf", "Price list.pdf"));
        var pushed = await Eventually.ReturnsAsync(() => Task.FromResult(changed.FirstOrDefault(m => m.Attachment?.Id == photo.Id)),
            m => m is not null, "the open thread to be told the photo arrived");
        (pushed!.Direction, pushed.Author, pushed.Body, pushed.Status)
            .Should().Be((MessageDirection.Outbound, MessageAuthor.Staff, "📷 Photo: Here it is", MessageStatus.Sent));

        var gone = await Eventually.ReturnsAsync(
            () => world.App.WithDbAsync(db => db.WhatsAppMediaFetches.AsNoTracking().Include(f => f.Message).SingleOrDefaultAsync()),
            f => f?.State == WhatsAppMediaFetchState.Failed, "the missing file to be given up");
        gone!.Message.ExternalId.Should().Be("wamid.echo-gone");
        (gone.Message.Body, gone.Message.Status, gone.Message.FailureReason).Should().Be(("📄 Document: Old.pdf", MessageStatus.Sent, null),
            "a message the shop already sent keeps its label; a reason would read as a failed send");
        (await world.App.WithDbAsync(db => db.Outbox.CountAsync())).Should().Be(0, "nothing the shop sent from its phone is sent again");
        world.Graph.Sends.Should().BeEmpty();

        var owner = (await world.App.SignInAsync(world.Shop.OwnerEmail)).Client;
        (await owner.GetByteArrayAsync($"/inbox/attachments/{pdf.Id}")).Should().Equal(TestFiles.Pdf());
    }

    [Theory]
    [InlineData(new byte[] { 0x68, 0xC3, 0xA9, 0x6C, 0x6C, 0x6F }, true)]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0x68, 0x69, 0x0A }, true)]
    [InlineData(new byte[] { 0x68, 0x69, 0x00, 0x21 }, false)]
    [InlineData(new byte[] { 0x68, 0xE9, 0x6C, 0x6C, 0x6F }, false)]
    [InlineData(new byte[] { 0x68, 0x69, 0xC3 }, false)]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x68, 0x00 }, false)]
    public async Task Text_is_plain_UTF_8_without_NUL(byte[] content, bool expected)
    {
        using var stream = new MemoryStream(content);
        (await WhatsAppDocuments.IsTextAsync(stream, default)).Should().Be(expected);
    }

    [Fact]
    public async Task A_character_cut_between_two_reads_is_still_text()
    {
        // 81,920 bytes are read at a time: the two bytes of "é" straddle the first boundary.
        var content = Encoding.UTF8.GetBytes(new string('a', 81919) + "é and more");
        using var stream = new MemoryStream(content);
        (await WhatsAppDocuments.IsTextAsync(stream, default)).Should().BeTrue();
    }

    [Theory]
    [InlineData("application/msword", "x.bin", ".doc")]
    [InlineData("application/vnd.ms-excel", null, ".xls")]
    [InlineData("application/octet-stream", "Slides.PPT", ".ppt")]
    [InlineData("application/x-msi", "setup.msi", null)]
    public async Task An_old_Office_file_is_told_apart_by_the_type_or_extension_it_claims(string claimed, string? name, string? extension)
    {
        var content = OldWord();
        var (type, refusal) = await WhatsAppDocuments.RecogniseAsync(content[..16], () => new MemoryStream(content), [claimed], name, default);
        (type?.Extension).Should().Be(extension);
        refusal.Should().Be(extension is null ? WhatsAppDocuments.WrongType : null);
    }

    [Fact]
    public async Task A_ZIP_whose_directory_claims_more_parts_than_an_Office_file_has_is_refused()
    {
        (await WhatsAppDocuments.RecogniseAsync(Docx[..16], () => new MemoryStream(Docx), [DocxType], "a.docx", default)).Type.Should().Be(WhatsAppDocuments.Docx);
        var content = Docx.ToArray();
        var end = content.AsSpan().LastIndexOf("PK\u0005\u0006"u8);
        // 65,535 parts: ZIP64's marker, and far more than any Office file has.
        content[end + 10] = 0xFF;
        content[end + 11] = 0xFF;

        var (type, refusal) = await WhatsAppDocuments.RecogniseAsync(content[..16], () => new MemoryStream(content), [DocxType], "big.docx", default);

        type.Should().BeNull();
        refusal.Should().Be(WhatsAppDocuments.WrongType);
    }
}
