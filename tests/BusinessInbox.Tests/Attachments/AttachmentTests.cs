using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using BusinessInbox.Attachments;
using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BusinessInbox.Tests.Attachments;

public sealed class AttachmentTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private readonly InboxApp _app = new();
    private TestBusiness _shop = null!;

    public async Task InitializeAsync() => _shop = await _app.CreateBusinessAsync("photos");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string[] StoredFiles()
    {
        var folder = Path.Combine(_app.DataPath, "attachments");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
    }

    private static async Task<HttpResponseMessage> CustomerUploadAsync(
        HttpClient client, string slug, byte[] bytes, string fileName, string declaredType, string? caption = null)
    {
        var token = InboxApp.AntiforgeryToken(await client.GetStringAsync($"/c/{slug}"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(Guid.NewGuid().ToString("n")), "clientId" },
        };
        if (caption is not null)
        {
            form.Add(new StringContent(caption), "caption");
        }
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(declaredType);
        form.Add(file, "file", fileName);
        return await client.PostAsync($"/c/{slug}/attachments", form);
    }

    internal static async Task<HttpResponseMessage> StaffUploadAsync(HttpClient client, int chatId, byte[] bytes, string fileName, string? caption, bool note = false)
    {
        var token = InboxApp.AntiforgeryToken(await client.GetStringAsync("/inbox"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(note ? "true" : "false"), "note" },
        };
        if (caption is not null)
        {
            form.Add(new StringContent(caption), "caption");
        }
        form.Add(new ByteArrayContent(bytes), "file", fileName);
        return await client.PostAsync($"/inbox/chats/{chatId}/attachments", form);
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;

    private async Task<CustomerMessageView> CustomerSendsPhotoAsync(Customer customer, string? caption = null)
    {
        var response = await CustomerUploadAsync(customer.Client, _shop.Slug, TestFiles.JpegWithGps(), "IMG_0042.jpg", "image/jpeg", caption);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CustomerMessageView>(Web))!;
    }

    [Fact]
    public async Task A_customer_photo_reaches_the_inbox_live_without_its_location_metadata()
    {
        await using var staff = await StaffSession.StartAsync(_app, _shop.OwnerEmail);
        await using var customer = await _app.NewCustomerAsync(_shop.Slug);

        var sent = await CustomerSendsPhotoAsync(customer, "The box arrived like this");

        sent.Mine.Should().BeTrue();
        sent.Body.Should().Be("The box arrived like this");
        sent.Attachment!.Kind.Should().Be(AttachmentKind.Image);
        var added = await Eventually.ReturnsAsync(() => Task.FromResult(staff.Added.FirstOrDefault(m => m.Id == sent.Id)), m => m is not null, "the photo in the inbox");
        added!.Attachment!.FileName.Should().Be("IMG_0042.jpg");
        added.Attachment.HasThumbnail.Should().BeTrue();
        var chat = await staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter());
        chat.Chats.Single().LastMessagePreview.Should().Be("📷 The box arrived like this");

        var client = (await _app.SignInAsync(_shop.OwnerEmail)).Client;
        var photo = await client.GetAsync($"/inbox/attachments/{added.Attachment.Id}");
        photo.StatusCode.Should().Be(HttpStatusCode.OK);
        photo.Content.Headers.ContentType!.MediaType.Should().Be("image/jpeg");
        photo.Headers.CacheControl!.Private.Should().BeTrue();
        photo.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        var bytes = await photo.Content.ReadAsByteArrayAsync();
        bytes[..2].Should().Equal(0xFF, 0xD8);
        TestFiles.Contains(bytes, "Exif").Should().BeFalse("the photo's metadata must be gone before staff see it");
        TestFiles.Contains(bytes, TestFiles.GpsSecret).Should().BeFalse();
        var thumbnail = await client.GetAsync($"/inbox/attachments/{added.Attachment.Id}/thumbnail");
        thumbnail.Content.Headers.ContentType!.MediaType.Should().Be("image/webp");

        var own = await customer.Client.GetAsync($"/c/{_shop.Slug}/attachments/{sent.Attachment.Id}");
        own.StatusCode.Should().Be(HttpStatusCode.OK);
        (await own.Content.ReadAsByteArrayAsync()).Should().Equal(bytes);
    }

    [Fact]
    public async Task A_pdf_that_is_really_a_program_is_refused_with_a_clear_message_and_nothing_is_stored()
    {
        await using var customer = await _app.NewCustomerAsync(_shop.Slug);

        var response = await CustomerUploadAsync(customer.Client, _shop.Slug, TestFiles.ExecutableCalledPdf(), "invoice.pdf", "application/pdf", "My invoice");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOf(response)).Should().Be("This file is not a JPEG, PNG, WebP, GIF or PDF.");
        StoredFiles().Should().BeEmpty();
        (await _app.WithDbAsync(db => db.Messages.CountAsync())).Should().Be(0);
        (await _app.WithDbAsync(db => db.Attachments.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task A_12_MB_file_is_refused_and_nothing_is_stored()
    {
        await using var customer = await _app.NewCustomerAsync(_shop.Slug);
        var big = new byte[12 * 1024 * 1024];
        TestFiles.Pdf().CopyTo(big, 0);

        var response = await CustomerUploadAsync(customer.Client, _shop.Slug, big, "catalogue.pdf", "application/pdf");

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await ErrorOf(response)).Should().Be("This file is larger than 10 MB.");
        StoredFiles().Should().BeEmpty();
        (await _app.WithDbAsync(db => db.Messages.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task Another_business_and_other_customers_get_404_for_an_attachment()
    {
        await using var customer = await _app.NewCustomerAsync(_shop.Slug);
        var sent = await CustomerSendsPhotoAsync(customer);
        var id = sent.Attachment!.Id;
        var other = await _app.CreateBusinessAsync("other-shop");
        var otherStaff = (await _app.SignInAsync(other.OwnerEmail)).Client;
        await using var otherCustomer = await _app.NewCustomerAsync(_shop.Slug);
        await using var theirCustomer = await _app.NewCustomerAsync(other.Slug);

        foreach (var path in new[] { $"/inbox/attachments/{id}", $"/inbox/attachments/{id}/thumbnail" })
        {
            (await otherStaff.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.NotFound, path);
        }
        foreach (var path in new[] { $"/c/{_shop.Slug}/attachments/{id}", $"/c/{_shop.Slug}/attachments/{id}/thumbnail" })
        {
            (await otherCustomer.Client.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.NotFound, path);
        }
        (await theirCustomer.Client.GetAsync($"/c/{other.Slug}/attachments/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        // A member of the business (any role) does see it.
        await _app.AddMemberAsync(_shop, "agent@photos.test", MemberRole.Agent);
        var agent = (await _app.SignInAsync("agent@photos.test")).Client;
        (await agent.GetAsync($"/inbox/attachments/{id}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Strangers_are_not_served_attachments()
    {
        await using var customer = await _app.NewCustomerAsync(_shop.Slug);
        var sent = await CustomerSendsPhotoAsync(customer);
        using var stranger = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var staffRoute = await stranger.GetAsync($"/inbox/attachments/{sent.Attachment!.Id}");
        staffRoute.StatusCode.Should().Be(HttpStatusCode.Redirect);
        staffRoute.Headers.Location!.OriginalString.Should().Contain("/account/login");
        (await stranger.GetAsync($"/c/{_shop.Slug}/attachments/{sent.Attachment.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var upload = await stranger.PostAsync($"/c/{_shop.Slug}/attachments", new MultipartFormDataContent { { new ByteArrayContent(TestFiles.Pdf()), "file", "a.pdf" } });
        upload.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        StoredFiles().Should().HaveCount(2, "only the customer's photo and its thumbnail");
    }

    [Fact]
    public async Task Staff_send_a_pdf_that_the_customer_downloads_but_a_private_note_stays_in_the_shop()
    {
        await using var customer = await _app.NewCustomerAsync(_shop.Slug);
        var received = new System.Collections.Concurrent.ConcurrentQueue<CustomerMessageView>();
        customer.Hub.On<CustomerMessageView>(nameof(ICustomerClient.Message), received.Enqueue);
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "first", "Can I have the price list?", null);
        var chatId = await _app.WithDbAsync(db => db.Chats.Select(c => c.Id).SingleAsync());
        var staff = (await _app.SignInAsync(_shop.OwnerEmail)).Client;

        var reply = await StaffUploadAsync(staff, chatId, TestFiles.Pdf(), "Prices 2026.pdf", caption: null);
        reply.StatusCode.Should().Be(HttpStatusCode.OK, await reply.Content.ReadAsStringAsync());
        var message = (await reply.Content.ReadFromJsonAsync<MessageView>(Web))!;
        message.Body.Should().BeEmpty();
        message.Attachment!.Kind.Should().Be(AttachmentKind.Document);

        var pushed = await Eventually.ReturnsAsync(() => Task.FromResult(received.FirstOrDefault(m => m.Id == message.Id)),
            m => m is not null, "the PDF on the customer's page");
        pushed!.Attachment!.FileName.Should().Be("Prices 2026.pdf");
        var download = await customer.Client.GetAsync($"/c/{_shop.Slug}/attachments/{pushed.Attachment.Id}");
        download.StatusCode.Should().Be(HttpStatusCode.OK);
        download.Content.Headers.ContentType!.MediaType.Should().Be("application/pdf");
        download.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
        download.Content.Headers.ContentDisposition.FileNameStar.Should().Be("Prices 2026.pdf");
        (await _app.WithDbAsync(db => db.Chats.Select(c => c.LastMessagePreview).SingleAsync())).Should().Be("📄 Prices 2026.pdf");

        var note = await StaffUploadAsync(staff, chatId, TestFiles.Pdf(), "internal.pdf", "Our margins", note: true);
        var noteView = (await note.Content.ReadFromJsonAsync<MessageView>(Web))!;
        noteView.Kind.Should().Be(MessageKind.Note);
        (await customer.Client.GetAsync($"/c/{_shop.Slug}/attachments/{noteView.Attachment!.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await customer.Hub.InvokeAsync<List<CustomerMessageView>>("History")).Should().NotContain(m => m.Id == noteView.Id)
            .And.Contain(m => m.Id == message.Id && m.Attachment != null);
    }

    [Fact]
    public async Task Erasing_a_contact_removes_their_files_from_disk_and_their_export_includes_them()
    {
        await using var customer = await _app.NewCustomerAsync(_shop.Slug);
        var sent = await CustomerSendsPhotoAsync(customer);
        var pdf = await CustomerUploadAsync(customer.Client, _shop.Slug, TestFiles.Pdf(), "order.pdf", "application/pdf");
        pdf.StatusCode.Should().Be(HttpStatusCode.OK);
        StoredFiles().Should().HaveCount(3, "the photo, its thumbnail and the PDF");
        var contactId = await _app.WithDbAsync(db => db.Contacts.Select(c => c.Id).SingleAsync());
        var staff = (await _app.SignInAsync(_shop.OwnerEmail)).Client;

        var zip = await staff.GetAsync($"/contacts/{contactId}/data");
        using (var archive = new ZipArchive(await zip.Content.ReadAsStreamAsync()))
        {
            var files = archive.Entries.Where(e => e.FullName.StartsWith("files/", StringComparison.Ordinal)).ToList();
            files.Select(e => e.Name).Should().BeEquivalentTo($"{sent.Attachment!.Id}-IMG_0042.jpg", $"{sent.Attachment.Id + 1}-order.pdf");
            using var pdfEntry = new MemoryStream();
            await using (var entry = await files.Single(e => e.Name.EndsWith(".pdf", StringComparison.Ordinal)).OpenAsync())
            {
                await entry.CopyToAsync(pdfEntry);
            }
            pdfEntry.ToArray().Should().Equal(TestFiles.Pdf());
        }

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<ContactCommands>().EraseAsync(_shop.Id, contactId, default)).Should().BeTrue();
        }

        StoredFiles().Should().BeEmpty();
        (await _app.WithDbAsync(db => db.Attachments.CountAsync())).Should().Be(0);
        (await staff.GetAsync($"/inbox/attachments/{sent.Attachment.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
