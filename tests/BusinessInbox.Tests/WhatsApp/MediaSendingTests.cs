using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Attachments;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using SkiaSharp;
using static BusinessInbox.Tests.WhatsApp.WhatsAppWorld;

namespace BusinessInbox.Tests.WhatsApp;

public sealed class MediaSendingTests
{
    private const string Customer = "16505551234";
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private sealed record Shop(WhatsAppWorld World, StaffSession Staff, HttpClient Client, int ChatId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Staff.DisposeAsync();
            await World.DisposeAsync();
        }
    }

    /// <summary>A customer writes (which opens the 24-hour window) and the owner has the inbox open.</summary>
    private static async Task<Shop> CustomerAsksAsync(FakeTimeProvider? clock = null)
    {
        var world = await WhatsAppWorld.StartAsync(clock);
        await world.PostOkAsync(CustomerText("wamid.question", "Do you have it in blue?", Customer));
        var chatId = (await world.MessagesAsync()).Single().ChatId;
        var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        var client = (await world.App.SignInAsync(world.Shop.OwnerEmail)).Client;
        return new Shop(world, staff, client, chatId);
    }

    private static async Task<MessageView> AttachAsync(Shop shop, byte[] file, string fileName, string? caption)
    {
        var response = await AttachmentTests.StaffUploadAsync(shop.Client, shop.ChatId, file, fileName, caption);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<MessageView>(Web))!;
    }

    private static async Task<string> RefusalOf(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
    }

    private static string[] StoredFiles(WhatsAppWorld world)
    {
        var folder = Path.Combine(world.App.DataPath, "attachments");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>Moves the fake clock in small steps until the dispatcher has done what the test waits for.</summary>
    private static Task<bool> AdvanceUntilAsync(FakeTimeProvider clock, Func<bool> done, string what) =>
        Eventually.ReturnsAsync(() =>
        {
            if (!done())
            {
                clock.Advance(TimeSpan.FromMilliseconds(250));
            }
            return Task.FromResult(done());
        }, d => d, what);

    private static string Id(long messageId) => messageId.ToString(CultureInfo.InvariantCulture);

    /// <summary>A PNG of random noise (which no encoder can shrink) of about 7 MB: within the product's 10 MB, over WhatsApp's 5 MB.</summary>
    private static readonly Lazy<byte[]> NoisyPng = new(() =>
    {
        var info = new SKImageInfo(1800, 1300, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = new byte[info.BytesSize];
        new Random(42).NextBytes(pixels);
        using var bitmap = new SKBitmap(info);
        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Png, 100).ToArray();
    });

    [Fact]
    public async Task A_photo_reply_is_uploaded_to_WhatsApp_and_then_sent_by_its_media_id_with_the_text_as_caption()
    {
        await using var shop = await CustomerAsksAsync();

        var reply = await AttachAsync(shop, TestFiles.JpegWithGps(), "IMG_0042.jpg", "Here it is in blue");

        await shop.Staff.StatusAsync(reply.Id, MessageStatus.Sent);
        var upload = shop.World.Graph.Uploads.Should().ContainSingle().Subject;
        upload.Path.Should().Be($"/v23.0/{PhoneNumberId}/media");
        upload.Authorization.Should().Be("Bearer " + AccessToken);
        (upload.MessagingProduct, upload.Type, upload.FileContentType).Should().Be(("whatsapp", "image/jpeg", "image/jpeg"));
        var stored = await shop.Client.GetByteArrayAsync($"/inbox/attachments/{reply.Attachment!.Id}");
        upload.Bytes.Should().Equal(stored, "WhatsApp receives the photo as the thread shows it, without its location metadata");
        TestFiles.Contains(upload.Bytes, TestFiles.GpsSecret).Should().BeFalse();

        shop.World.Graph.Requests.Select(r => r.Path).Should().Equal(
            $"/v23.0/{PhoneNumberId}/media", $"/v23.0/{PhoneNumberId}/messages");
        shop.World.Graph.Sends.Single().Json!.ToJsonString().Should().Be(JsonNode.Parse($$"""
            { "messaging_product": "whatsapp", "recipient_type": "individual", "to": "{{Customer}}",
              "type": "image", "image": { "id": "media.fake1", "caption": "Here it is in blue" },
              "biz_opaque_callback_data": "{{Id(reply.Id)}}" }
            """)!.ToJsonString());
        (await shop.World.MessageAsync(reply.Id)).ExternalId.Should().Be("wamid.fake1");

        await shop.World.PostOkAsync(Payload(Entry(Statuses(Status("wamid.fake1", "delivered", Id(reply.Id))))));
        await shop.Staff.StatusAsync(reply.Id, MessageStatus.Delivered);
    }

    [Fact]
    public async Task A_document_is_sent_with_its_file_name_and_without_a_caption_when_none_was_written()
    {
        await using var shop = await CustomerAsksAsync();

        var reply = await AttachAsync(shop, TestFiles.Pdf(), "Prices 2026.pdf", caption: null);

        await shop.Staff.StatusAsync(reply.Id, MessageStatus.Sent);
        var upload = shop.World.Graph.Uploads.Should().ContainSingle().Subject;
        (upload.Type, upload.FileName).Should().Be(("application/pdf", "Prices 2026.pdf"));
        upload.Bytes.Should().Equal(TestFiles.Pdf());
        var json = shop.World.Graph.Sends.Single().Json!;
        json["type"]!.GetValue<string>().Should().Be("document");
        json["document"]!.ToJsonString().Should().Be("""{"id":"media.fake1","filename":"Prices 2026.pdf"}""");
    }

    [Fact]
    public async Task An_upload_failing_with_a_server_error_is_retried_after_a_backoff_and_the_message_is_sent_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var shop = await CustomerAsksAsync(clock);
        var graph = shop.World.Graph;
        graph.ThenAnswer(GraphAnswer.Error(131000, "Something went wrong", status: 500));

        var reply = await AttachAsync(shop, TestFiles.JpegWithGps(), "IMG_0042.jpg", "Blue");

        await Eventually.ReturnsAsync(
            () => shop.World.App.WithDbAsync(db => db.Outbox.AsNoTracking().SingleOrDefaultAsync(o => o.MessageId == reply.Id)),
            o => o is { Attempts: 1 }, "the failed upload to be rescheduled");
        graph.Sends.Should().BeEmpty("nothing is sent before the file is uploaded");
        (await shop.World.MessageAsync(reply.Id)).Status.Should().Be(MessageStatus.Queued);

        await AdvanceUntilAsync(clock, () => graph.Sends.Count > 0, "the retried upload and the send");
        await shop.Staff.StatusAsync(reply.Id, MessageStatus.Sent);
        graph.Uploads.Should().HaveCount(2);
        graph.Sends.Should().ContainSingle().Which.Json!["image"]!["id"]!.GetValue<string>().Should().Be("media.fake1");
    }

    [Fact]
    public async Task A_send_failing_after_a_successful_upload_is_retried_with_the_same_media_id_without_uploading_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var shop = await CustomerAsksAsync(clock);
        var graph = shop.World.Graph;
        graph.ThenAnswer(new GraphAnswer(200, new { id = "media.first" }));
        graph.ThenAnswer(GraphAnswer.Error(131000, "Something went wrong", status: 500));

        var reply = await AttachAsync(shop, TestFiles.JpegWithGps(), "IMG_0042.jpg", "Blue");

        var row = await Eventually.ReturnsAsync(
            () => shop.World.App.WithDbAsync(db => db.Outbox.AsNoTracking().SingleOrDefaultAsync(o => o.MessageId == reply.Id)),
            o => o is { Attempts: 1 }, "the failed send to be rescheduled");
        row!.UploadedMediaId.Should().Be("media.first");

        await AdvanceUntilAsync(clock, () => graph.Sends.Count >= 2, "the retried send");
        await shop.Staff.StatusAsync(reply.Id, MessageStatus.Sent);
        graph.Uploads.Should().ContainSingle();
        graph.Sends.Select(s => s.Json!["image"]!["id"]!.GetValue<string>()).Should().Equal("media.first", "media.first");
    }

    [Fact]
    public async Task An_upload_that_times_out_is_simply_uploaded_again_because_the_customer_has_received_nothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var shop = await CustomerAsksAsync(clock);
        var graph = shop.World.Graph;
        graph.ThenAnswer(new GraphAnswer(200, new { id = "media.slow" }, TimeSpan.FromSeconds(30)));

        var reply = await AttachAsync(shop, TestFiles.Pdf(), "order.pdf", caption: null);

        var row = await Eventually.ReturnsAsync(
            () => shop.World.App.WithDbAsync(db => db.Outbox.AsNoTracking().SingleOrDefaultAsync(o => o.MessageId == reply.Id)),
            o => o is { Attempts: 1 }, "the timed-out upload to be rescheduled");
        row!.TimedOutAt.Should().BeNull("only a send that timed out waits for WhatsApp's confirmation");

        await AdvanceUntilAsync(clock, () => graph.Sends.Count > 0, "the upload again and the send");
        await shop.Staff.StatusAsync(reply.Id, MessageStatus.Sent);
        graph.Uploads.Should().HaveCount(2);
        graph.Sends.Should().ContainSingle().Which.Json!["document"]!["id"]!.GetValue<string>().Should().Be("media.fake1");
    }

    [Fact]
    public async Task An_expired_token_refusing_the_upload_fails_the_reply_and_flags_the_channel()
    {
        await using var shop = await CustomerAsksAsync();
        shop.World.Graph.ThenAnswer(GraphAnswer.Error(190, "Error validating access token: Session has expired", status: 401));

        var reply = await AttachAsync(shop, TestFiles.JpegWithGps(), "IMG_0042.jpg", null);

        (await shop.Staff.StatusAsync(reply.Id, MessageStatus.Failed)).Reason.Should().Be("WhatsApp access token expired or invalid");
        shop.World.Graph.Sends.Should().BeEmpty();
        (await shop.World.App.WithDbAsync(db => db.WhatsAppChannels.SingleAsync())).Status.Should().Be(WhatsAppChannelStatus.TokenFailed);
    }

    [Fact]
    public async Task A_photo_over_WhatsApps_5_MB_is_refused_with_the_limit_and_nothing_is_stored_but_it_may_go_in_a_private_note()
    {
        await using var shop = await CustomerAsksAsync();
        var photo = NoisyPng.Value;
        photo.Length.Should().BeInRange(6 * 1024 * 1024, 10 * 1024 * 1024, "the photo must be within the product's limit and over WhatsApp's");

        var response = await AttachmentTests.StaffUploadAsync(shop.Client, shop.ChatId, photo, "big.png", "Look");

        (await RefusalOf(response)).Should().Be("WhatsApp accepts photos up to 5 MB.");
        StoredFiles(shop.World).Should().BeEmpty();
        (await shop.World.MessagesAsync()).Should().ContainSingle("only the customer's question is stored");
        shop.World.Graph.Uploads.Should().BeEmpty();

        var note = await AttachmentTests.StaffUploadAsync(shop.Client, shop.ChatId, photo, "big.png", "For the team", note: true);
        note.StatusCode.Should().Be(HttpStatusCode.OK, "a private note never goes to WhatsApp");
        shop.World.Graph.Requests.Should().NotContain(r => r.Path.EndsWith("/media", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_GIF_which_WhatsApp_does_not_accept_is_refused_with_a_clear_message_and_nothing_is_stored()
    {
        await using var shop = await CustomerAsksAsync();

        var response = await AttachmentTests.StaffUploadAsync(shop.Client, shop.ChatId, TestFiles.AnimatedGifWithComment(), "dance.gif", null);

        (await RefusalOf(response)).Should().Be("WhatsApp does not accept GIFs: send the picture as a JPEG or PNG photo.");
        StoredFiles(shop.World).Should().BeEmpty();
        (await shop.World.App.WithDbAsync(db => db.Attachments.CountAsync())).Should().Be(0);
        (await shop.World.MessagesAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task A_file_reaching_a_WhatsApp_reply_another_way_is_refused_by_the_same_rule()
    {
        await using var shop = await CustomerAsksAsync();
        var gif = new BusinessInbox.Attachments.Attachment
        {
            BusinessId = shop.World.Shop.Id, ContentType = "image/gif", FileName = "dance.gif", Size = 10, StorageKey = new string('a', 32),
        };

        var refused = () => shop.World.App.CommandAsync(c => c.ReplyWithAttachmentAsync(
            shop.World.Shop.Id, shop.ChatId, shop.World.Shop.OwnerId, "Dance", privateNote: false, gif, default));

        (await refused.Should().ThrowAsync<InboxException>()).Which.Message.Should().Be(WhatsAppMedia.NoGif);
        (await shop.World.MessagesAsync()).Should().ContainSingle();
    }

    [Theory]
    [InlineData("image/jpeg", 5 * 1024 * 1024, null, null, "", null)]
    [InlineData("image/png", 5 * 1024 * 1024 + 1, null, null, "", WhatsAppMedia.PhotoTooLarge)]
    [InlineData("video/mp4", 16 * 1024 * 1024 + 1, null, null, "", WhatsAppMedia.VideoTooLarge)]
    [InlineData("audio/ogg; codecs=opus", 1000, null, null, "", null)]
    [InlineData("audio/mpeg", 1000, null, null, "Listen", WhatsAppMedia.NoCaption)]
    [InlineData("audio/amr", 16 * 1024 * 1024 + 1, null, null, "", WhatsAppMedia.AudioTooLarge)]
    [InlineData("application/pdf", 100 * 1024 * 1024 + 1, null, null, "", WhatsAppMedia.DocumentTooLarge)]
    [InlineData("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 1000, null, null, "Prices", null)]
    [InlineData("image/webp", 90 * 1024, 512, 512, "", null)]
    [InlineData("image/webp", 90 * 1024, 512, 512, "Hi", WhatsAppMedia.NoCaption)]
    [InlineData("image/webp", 90 * 1024, 800, 600, "", WhatsAppMedia.NoWebP)]
    [InlineData("image/webp", 200 * 1024, 512, 512, "", WhatsAppMedia.NoWebP)]
    [InlineData("image/gif", 1000, 10, 10, "", WhatsAppMedia.NoGif)]
    [InlineData("application/zip", 1000, null, null, "", WhatsAppMedia.WrongType)]
    public void WhatsApps_types_and_sizes_decide_which_files_may_be_sent(string type, long size, int? width, int? height, string caption, string? refusal) =>
        WhatsAppMedia.Refusal(type, size, width, height, caption).Should().Be(refusal);

    [Fact]
    public void A_caption_longer_than_WhatsApps_1024_characters_is_refused_but_a_text_message_may_be_longer()
    {
        WhatsAppMedia.Refusal("image/jpeg", 1000, null, null, new string('a', 1024)).Should().BeNull();
        WhatsAppMedia.Refusal("image/jpeg", 1000, null, null, new string('a', 1025)).Should().Be(WhatsAppMedia.CaptionTooLong);
        MessageText.Check(new string('a', 1025)).Error.Should().BeNull();
    }
}
