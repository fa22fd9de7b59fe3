using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using BusinessInbox.Attachments;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Attachments;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SkiaSharp;
using static BusinessInbox.Tests.WhatsApp.WhatsAppWorld;

namespace BusinessInbox.Tests.WhatsApp;

public sealed class MediaTests
{
    private const string From = "16505551234";

    private static Dictionary<string, object> File(string wamid, string type, object media, long timestamp = 1739321024) => new Dictionary<string, object>
    {
        ["from"] = From, ["id"] = wamid, ["timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), ["type"] = type, [type] = media,
    };

    private static string Delivery(params object[] messages) => Payload(Entry(Messages(From, "Sheena Nelson", messages)));

    private static Task<Attachment?> AttachmentOfAsync(WhatsAppWorld world, string wamid) =>
        world.App.WithDbAsync(db => db.Attachments.AsNoTracking().SingleOrDefaultAsync(a => a.Message.ExternalId == wamid));

    private static Task<Attachment?> StoredAsync(WhatsAppWorld world, string wamid) =>
        Eventually.ReturnsAsync(() => AttachmentOfAsync(world, wamid), a => a is not null, $"the file of {wamid} to be stored");

    private static Task<Message> ReasonAsync(WhatsAppWorld world, string wamid) =>
        Eventually.ReturnsAsync(
            () => world.App.WithDbAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.ExternalId == wamid)),
            m => m.FailureReason is not null, $"{wamid} to show why its file is missing");

    private static async Task<(StaffSession Staff, ConcurrentQueue<MessageView> Changed)> WatchAsync(WhatsAppWorld world)
    {
        var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        var changed = new ConcurrentQueue<MessageView>();
        staff.Hub.On<MessageView>(nameof(IInboxClient.MessageChanged), changed.Enqueue);
        return (staff, changed);
    }

    private static byte[] Webp(int side)
    {
        using var bitmap = new SKBitmap(side, side);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.HotPink);
        }
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Webp, 80).ToArray();
    }

    private static byte[] Ogg() => [.. "OggS"u8, 0x00, 0x02, .. new byte[2000]];

    private static byte[] Mp4() => [0x00, 0x00, 0x00, 0x18, .. "ftypmp42"u8, .. new byte[3000]];

    private static byte[] Docx() => [.. "PK\u0003\u0004"u8, .. new byte[1500]];

    [Fact]
    public async Task A_photo_whose_download_fails_twice_is_stored_with_its_image_after_the_backoff_and_appears_live()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await WhatsAppWorld.StartAsync(clock);
        var (staff, changed) = await WatchAsync(world);
        await using var _ = staff;
        var photo = world.Graph.AddMedia("media-photo", TestFiles.JpegWithGps(), "image/jpeg");
        world.Graph.FailMedia("media-photo", 2);

        await world.PostOkAsync(Delivery(File("wamid.photo", "image", new { id = "media-photo", mime_type = "image/jpeg", sha256 = photo.Sha256, caption = "Our new shelf" })));

        var first = await Eventually.ReturnsAsync(
            () => world.App.WithDbAsync(db => db.WhatsAppMediaFetches.AsNoTracking().SingleAsync()),
            f => f is { Attempts: 1, LastError: not null }, "the first failed attempt to be rescheduled");
        (first.NextAttemptAt - clock.GetUtcNow()).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2.5)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(5),
            "the first retry waits half to all of WhatsApp:Media:FirstRetryDelay (5 seconds)");
        world.Graph.Requests.Count(r => r.Path == "/v23.0/media-photo").Should().Be(1, "nothing is retried before its time");

        var attachment = await Eventually.ReturnsAsync(async () =>
        {
            var stored = await AttachmentOfAsync(world, "wamid.photo");
            if (stored is null)
            {
                clock.Advance(TimeSpan.FromMilliseconds(500));
            }
            return stored;
        }, a => a is not null, "the photo to be fetched on a later attempt");

        attachment!.Kind.Should().Be(AttachmentKind.Image);
        attachment.ContentType.Should().Be("image/jpeg");
        attachment.ThumbnailKey.Should().NotBeNull();
        photo.Downloads.Should().Be(1);
        world.Graph.Requests.Where(r => r.Path.Contains("media-photo", StringComparison.Ordinal)).Select(r => r.Path).Should().Equal(
            "/v23.0/media-photo", "/v23.0/media-photo", "/v23.0/media-photo", "/media-download/media-photo");
        world.Graph.Requests.Where(r => r.Path.Contains("media-photo", StringComparison.Ordinal))
            .Should().OnlyContain(r => r.Authorization == "Bearer " + AccessToken, "the address and the file are both asked for with the business's token");
        (await world.App.WithDbAsync(db => db.WhatsAppMediaFetches.CountAsync())).Should().Be(0);
        var message = await world.App.WithDbAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.ExternalId == "wamid.photo"));
        message.Body.Should().Be("📷 Photo: Our new shelf", "the caption stays the message's text for the list and search");
        message.FailureReason.Should().BeNull();

        var pushed = await Eventually.ReturnsAsync(() => Task.FromResult(changed.FirstOrDefault(m => m.Attachment is not null)),
            m => m is not null, "the open thread to be told the photo arrived");
        pushed!.Id.Should().Be(message.Id);
        pushed.Attachment!.HasThumbnail.Should().BeTrue();
        var owner = (await world.App.SignInAsync(world.Shop.OwnerEmail)).Client;
        var served = await owner.GetByteArrayAsync($"/inbox/attachments/{attachment.Id}");
        TestFiles.Contains(served, TestFiles.GpsSecret).Should().BeFalse("the photo is re-encoded without its location, as web-chat photos are");
    }

    [Fact]
    public async Task Files_larger_than_WhatsApp_allows_or_gone_from_WhatsApp_leave_the_message_with_a_readable_reason()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var (staff, changed) = await WatchAsync(world);
        await using var _ = staff;
        // Said to be too large by the Graph API: never downloaded.
        world.Graph.AddMedia("media-big-doc", TestFiles.Pdf(), "application/pdf").ReportedSize = 101L * 1024 * 1024;
        // Said to be small, but the bytes keep coming: the download is cut off at the sticker limit.
        world.Graph.AddMedia("media-big-sticker", new byte[600 * 1024], "image/webp").ReportedSize = 10_000;
        // The same for a file streamed straight to disk: nothing of it stays there.
        world.Graph.AddMedia("media-big-video", Mp4().Concat(new byte[17 * 1024 * 1024]).ToArray(), "video/mp4").ReportedSize = 1024 * 1024;
        world.Graph.AddMedia("media-gone", TestFiles.JpegWithGps(), "image/jpeg");
        world.Graph.FailMedia("media-gone", 1, GraphAnswer.Error(100, "Unsupported get request. Object with ID 'media-gone' does not exist"));

        await world.PostOkAsync(Delivery(
            File("wamid.bigdoc", "document", new { id = "media-big-doc", mime_type = "application/pdf", filename = "Catalogue.pdf" }),
            File("wamid.bigsticker", "sticker", new { id = "media-big-sticker", mime_type = "image/webp" }),
            File("wamid.bigvideo", "video", new { id = "media-big-video", mime_type = "video/mp4" }),
            File("wamid.gone", "image", new { id = "media-gone", mime_type = "image/jpeg" })));

        (await ReasonAsync(world, "wamid.bigdoc")).FailureReason.Should().Be("Document couldn't be downloaded: larger than 100 MB");
        (await ReasonAsync(world, "wamid.bigsticker")).FailureReason.Should().Be("Sticker couldn't be downloaded: larger than 500 KB");
        (await ReasonAsync(world, "wamid.bigvideo")).FailureReason.Should().Be("Video couldn't be downloaded: larger than 16 MB");
        (await ReasonAsync(world, "wamid.gone")).FailureReason.Should().Be("Photo couldn't be downloaded: WhatsApp no longer has this file");
        world.Graph.Media["media-big-doc"].Downloads.Should().Be(0);

        var messages = await world.MessagesAsync();
        messages.Select(m => m.Body).Should().Equal("📄 Document: Catalogue.pdf", "💟 Sticker", "🎥 Video", "📷 Photo");
        (await world.App.WithDbAsync(db => db.Attachments.CountAsync())).Should().Be(0);
        (await world.App.WithDbAsync(db => db.WhatsAppMediaFetches.AsNoTracking().Select(f => f.State).ToListAsync()))
            .Should().AllBeEquivalentTo(WhatsAppMediaFetchState.Failed);
        StoredFiles(world).Should().BeEmpty("a refused download leaves nothing on disk");

        var thread = await staff.Hub.InvokeAsync<ThreadView>("Thread", messages[0].ChatId, (long?)null);
        thread.Messages.Select(m => m.FailureReason).Should().Contain("Document couldn't be downloaded: larger than 100 MB");
        await Eventually.ReturnsAsync(() => Task.FromResult(changed.Count(m => m.FailureReason is not null)), n => n == 4, "the open thread to show the four reasons");
    }

    [Fact]
    public async Task Voice_messages_videos_stickers_and_documents_are_stored_with_their_type_and_name()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var voice = world.Graph.AddMedia("media-voice", Ogg(), "audio/ogg; codecs=opus");
        world.Graph.AddMedia("media-video", Mp4(), "video/mp4");
        world.Graph.AddMedia("media-sticker", Webp(512), "image/webp");
        world.Graph.AddMedia("media-pdf", TestFiles.Pdf(), "application/pdf");
        world.Graph.AddMedia("media-docx", Docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");

        await world.PostOkAsync(Delivery(
            File("wamid.voice", "audio", new { id = "media-voice", mime_type = "audio/ogg; codecs=opus", sha256 = voice.Sha256, voice = true }),
            File("wamid.video", "video", new { id = "media-video", mime_type = "video/mp4" }),
            File("wamid.sticker", "sticker", new { id = "media-sticker", mime_type = "image/webp", animated = false }),
            File("wamid.pdf", "document", new { id = "media-pdf", mime_type = "application/pdf", filename = "Invoice 42.pdf", caption = "For March" }),
            File("wamid.docx", "document", new { id = "media-docx", mime_type = "application/msword", filename = "order.docx" })));

        var stored = new Dictionary<string, Attachment>();
        foreach (var wamid in new[] { "wamid.voice", "wamid.video", "wamid.sticker", "wamid.pdf" })
        {
            stored[wamid] = (await StoredAsync(world, wamid))!;
        }
        stored.Values.Select(a => (a.ContentType, a.FileName)).Should().Equal(
            ("audio/ogg", "voice-message.ogg"), ("video/mp4", "video.mp4"), ("image/webp", "sticker.webp"), ("application/pdf", "Invoice 42.pdf"));
        stored["wamid.sticker"].Kind.Should().Be(AttachmentKind.Image);
        (await ReasonAsync(world, "wamid.docx")).FailureReason.Should().Be(
            "Document couldn't be stored: this file is not a photo, PDF, Word, Excel, PowerPoint or plain-text document");

        var owner = (await world.App.SignInAsync(world.Shop.OwnerEmail)).Client;
        var download = await owner.GetAsync($"/inbox/attachments/{stored["wamid.voice"].Id}");
        download.Content.Headers.ContentType!.MediaType.Should().Be("audio/ogg");
        download.Content.Headers.ContentDisposition!.FileNameStar.Should().Be("voice-message.ogg");
        (await download.Content.ReadAsByteArrayAsync()).Should().Equal(Ogg());
        (await owner.GetByteArrayAsync($"/inbox/attachments/{stored["wamid.pdf"].Id}")).Should().Equal(TestFiles.Pdf());
        var pdfMessage = await world.App.WithDbAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.ExternalId == "wamid.pdf"));
        pdfMessage.Body.Should().Be("📄 Document: Invoice 42.pdf — For March");
    }

    [Fact]
    public async Task A_fetched_file_is_served_to_the_business_members_and_is_404_to_another_business()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var other = await world.App.CreateBusinessAsync("other-shop");
        var (staff, changed) = await WatchAsync(world);
        await using var _ = staff;
        await using var otherStaff = await StaffSession.StartAsync(world.App, other.OwnerEmail);
        var otherChanged = new ConcurrentQueue<MessageView>();
        otherStaff.Hub.On<MessageView>(nameof(IInboxClient.MessageChanged), otherChanged.Enqueue);
        world.Graph.AddMedia("media-pdf", TestFiles.Pdf(), "application/pdf");
        await world.PostOkAsync(Delivery(File("wamid.pdf", "document", new { id = "media-pdf", filename = "Menu.pdf" })));
        var attachment = (await StoredAsync(world, "wamid.pdf"))!;
        await Eventually.ReturnsAsync(() => Task.FromResult(changed.Count), n => n == 1, "the shop's staff to be told the file arrived");
        // Sent after the shop's own push on the same hub: had it gone to the other business, it would be here by now.
        await otherStaff.Hub.InvokeAsync<Dictionary<string, int>>("Counters");
        otherChanged.Should().BeEmpty("another business is never told about this shop's messages");
        await world.App.AddMemberAsync(world.Shop, "agent@wa-shop.test", MemberRole.Agent);

        var agent = (await world.App.SignInAsync("agent@wa-shop.test")).Client;
        var stranger = (await world.App.SignInAsync(other.OwnerEmail)).Client;

        (await agent.GetAsync($"/inbox/attachments/{attachment.Id}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await stranger.GetAsync($"/inbox/attachments/{attachment.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.GetAsync($"/inbox/attachments/{attachment.Id}/thumbnail")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_webhook_is_answered_before_the_file_is_downloaded()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var photo = world.Graph.AddMedia("media-slow", TestFiles.JpegWithGps(), "image/jpeg");
        photo.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await world.PostOkAsync(Delivery(File("wamid.slow", "image", new { id = "media-slow", mime_type = "image/jpeg" })));

        (await world.MessagesAsync()).Should().ContainSingle().Which.Body.Should().Be("📷 Photo");
        (await world.App.WithDbAsync(db => db.WhatsAppMediaFetches.CountAsync(f => f.State == WhatsAppMediaFetchState.Pending))).Should().Be(1);
        (await AttachmentOfAsync(world, "wamid.slow")).Should().BeNull();
        photo.Downloads.Should().Be(0);

        photo.Hold.SetResult();
        (await StoredAsync(world, "wamid.slow"))!.Kind.Should().Be(AttachmentKind.Image);
    }

    [Fact]
    public async Task A_duplicate_delivery_of_a_file_message_fetches_it_once()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var photo = world.Graph.AddMedia("media-twice", TestFiles.JpegWithGps(), "image/jpeg");
        var body = Delivery(File("wamid.twice", "image", new { id = "media-twice", mime_type = "image/jpeg" }));

        await world.PostOkAsync(body);
        await StoredAsync(world, "wamid.twice");
        await world.PostOkAsync(body);

        (await world.App.WithDbAsync(db => db.WhatsAppMediaFetches.CountAsync())).Should().Be(0);
        (await world.App.WithDbAsync(db => db.Attachments.CountAsync())).Should().Be(1);
        photo.Downloads.Should().Be(1);
    }

    [Fact]
    public async Task A_file_that_keeps_failing_is_given_up_after_the_last_attempt_with_the_reason()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await WhatsAppWorld.StartAsync(clock);
        world.Graph.AddMedia("media-down", Ogg(), "audio/ogg");
        world.Graph.FailMedia("media-down", 50);

        await world.PostOkAsync(Delivery(File("wamid.down", "audio", new { id = "media-down", mime_type = "audio/ogg" })));

        var message = await Eventually.ReturnsAsync(async () =>
        {
            var m = await world.App.WithDbAsync(db => db.Messages.AsNoTracking().SingleAsync(x => x.ExternalId == "wamid.down"));
            if (m.FailureReason is null)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
            }
            return m;
        }, m => m.FailureReason is not null, "the worker to give up", TimeSpan.FromSeconds(30));

        message.FailureReason.Should().Be("Audio couldn't be downloaded: WhatsApp could not be reached");
        var fetch = await world.App.WithDbAsync(db => db.WhatsAppMediaFetches.AsNoTracking().SingleAsync());
        fetch.Attempts.Should().Be(10, "WhatsApp:Media:MaxAttempts is 10 by default");
        fetch.State.Should().Be(WhatsAppMediaFetchState.Failed);
    }

    [Fact]
    public async Task Erasing_a_contact_removes_their_fetched_files_and_pending_fetches_and_the_export_includes_the_files()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        world.Graph.AddMedia("media-pdf", TestFiles.Pdf(), "application/pdf");
        var held = world.Graph.AddMedia("media-held", TestFiles.JpegWithGps(), "image/jpeg");
        held.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await world.PostOkAsync(Delivery(File("wamid.pdf", "document", new { id = "media-pdf", filename = "Receipt.pdf" })));
        var pdf = (await StoredAsync(world, "wamid.pdf"))!;
        await world.PostOkAsync(Delivery(File("wamid.held", "image", new { id = "media-held" }, timestamp: 1739321090)));
        var contactId = await world.App.WithDbAsync(db => db.Contacts.Select(c => c.Id).SingleAsync());
        var owner = (await world.App.SignInAsync(world.Shop.OwnerEmail)).Client;

        using (var archive = new ZipArchive(await (await owner.GetAsync($"/contacts/{contactId}/data")).Content.ReadAsStreamAsync()))
        {
            archive.Entries.Select(e => e.FullName).Should().Contain($"files/{pdf.Id}-Receipt.pdf");
        }
        await Eventually.ReturnsAsync(() => Task.FromResult(world.Graph.Requests.Count(r => r.Path == "/media-download/media-held")),
            n => n == 1, "the second file's download to have started");

        await using (var scope = world.App.Services.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<ContactCommands>().EraseAsync(world.Shop.Id, contactId, default)).Should().BeTrue();
        }
        (await world.App.WithDbAsync(db => db.WhatsAppMediaFetches.CountAsync())).Should().Be(0, "a pending fetch goes with its message");
        held.Hold.SetResult();
        await Eventually.ReturnsAsync(() => Task.FromResult(held.Downloads), n => n == 1, "the held download to finish");

        // Files are fetched one after another: once a later customer's file is stored, the held one has been dealt with.
        world.Graph.AddMedia("media-later", TestFiles.Pdf(), "application/pdf");
        await world.PostOkAsync(Payload(Entry(Messages("16505550000", "Later", new Dictionary<string, object>
        {
            ["from"] = "16505550000", ["id"] = "wamid.later", ["timestamp"] = "1739321099", ["type"] = "document", ["document"] = new { id = "media-later" },
        }))));
        await StoredAsync(world, "wamid.later");
        StoredFiles(world).Should().ContainSingle("the file that arrived after the erasure is not kept; only the later customer's is");
        (await world.App.WithDbAsync(db => db.Attachments.CountAsync())).Should().Be(1);
        (await owner.GetAsync($"/inbox/attachments/{pdf.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static List<string> StoredFiles(WhatsAppWorld world)
    {
        var root = Path.Combine(world.App.DataPath, "attachments");
        return Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToList() : [];
    }
}
