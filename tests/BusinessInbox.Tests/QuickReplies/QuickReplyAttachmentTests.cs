using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using BusinessInbox.Attachments;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.QuickReplies;
using BusinessInbox.Tests.Attachments;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.QuickReplies;

public sealed class QuickReplyAttachmentTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private readonly InboxApp _app = new();
    private TestBusiness _shop = null!;
    private HttpClient _owner = null!;

    public async Task InitializeAsync()
    {
        _shop = await _app.CreateBusinessAsync("catalogue-shop");
        _owner = (await _app.SignInAsync(_shop.OwnerEmail)).Client;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string[] StoredFiles()
    {
        var folder = Path.Combine(_app.DataPath, "attachments");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>Posts the quick replies page's form as a browser does, with a file when one is given.</summary>
    internal static async Task<HttpResponseMessage> SaveQuickReplyAsync(
        HttpClient client, string shortcut, string text, byte[]? file = null, string? fileName = null, int? edit = null, bool removeFile = false)
    {
        var token = InboxApp.AntiforgeryToken(await client.GetStringAsync("/settings/quick-replies"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(shortcut), "Shortcut" },
            { new StringContent(text), "Text" },
        };
        if (edit is not null)
        {
            form.Add(new StringContent(edit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), "edit");
        }
        if (removeFile)
        {
            form.Add(new StringContent("true"), "RemoveFile");
        }
        if (file is not null)
        {
            form.Add(new ByteArrayContent(file), "NewFile", fileName ?? "file");
        }
        return await client.PostAsync("/settings/quick-replies", form);
    }

    internal static async Task<HttpResponseMessage> SendQuickReplyFileAsync(HttpClient client, int chatId, int quickReplyId, string caption)
    {
        var token = InboxApp.AntiforgeryToken(await client.GetStringAsync("/inbox"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(caption), "caption" },
            { new StringContent("false"), "note" },
        };
        return await client.PostAsync($"/inbox/chats/{chatId}/attachments/quick-replies/{quickReplyId}", form);
    }

    private Task<QuickReplyAttachment?> FileRowAsync(string shortcut) => _app.WithDbAsync(db =>
        db.QuickReplyAttachments.AsNoTracking().SingleOrDefaultAsync(a => a.QuickReply.Shortcut == shortcut && a.BusinessId == _shop.Id));

    private Task<int> QuickReplyIdAsync(string shortcut) =>
        _app.WithDbAsync(db => db.QuickReplies.Where(q => q.BusinessId == _shop.Id && q.Shortcut == shortcut).Select(q => q.Id).SingleAsync());

    [Fact]
    public async Task A_quick_reply_saved_with_a_photo_lists_the_file_and_serves_it_without_location_metadata()
    {
        var saved = await SaveQuickReplyAsync(_owner, "catalog", "Here is our catalogue, {contact.name}!", TestFiles.JpegWithGps(), "Catalogue.jpeg");

        saved.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var page = await _owner.GetStringAsync("/settings/quick-replies");
        page.Should().Contain("📎").And.Contain("Catalogue.jpg");
        var id = await QuickReplyIdAsync("catalog");
        var photo = await _owner.GetAsync($"/inbox/quick-replies/{id}/file");
        photo.StatusCode.Should().Be(HttpStatusCode.OK);
        photo.Content.Headers.ContentType!.MediaType.Should().Be("image/jpeg");
        var bytes = await photo.Content.ReadAsByteArrayAsync();
        TestFiles.Contains(bytes, TestFiles.GpsSecret).Should().BeFalse("the file is re-encoded like any attachment");
        StoredFiles().Should().HaveCount(2, "the photo and its thumbnail");
        await using var staff = await StaffSession.StartAsync(_app, _shop.OwnerEmail);
        var listed = await staff.Hub.InvokeAsync<List<QuickReplyView>>("QuickReplies");
        listed.Should().ContainSingle().Which.File.Should().Be(new QuickReplyFileView(AttachmentKind.Image, "image/jpeg", "Catalogue.jpg", bytes.Length));
    }

    [Fact]
    public async Task Replacing_the_file_removes_the_old_one_and_removing_it_leaves_the_text_without_a_file()
    {
        await SaveQuickReplyAsync(_owner, "catalog", "Our catalogue", TestFiles.JpegWithGps(), "catalogue.jpg");
        var id = await QuickReplyIdAsync("catalog");
        var before = StoredFiles();

        (await SaveQuickReplyAsync(_owner, "catalog", "Our prices", TestFiles.Pdf(), "Prices.pdf", edit: id)).StatusCode.Should().Be(HttpStatusCode.Redirect);

        (await FileRowAsync("catalog"))!.FileName.Should().Be("Prices.pdf");
        StoredFiles().Should().ContainSingle().And.NotIntersectWith(before);
        (await _owner.GetStringAsync($"/settings/quick-replies?edit={id}")).Should().Contain("Prices.pdf").And.Contain("Remove the file");

        (await SaveQuickReplyAsync(_owner, "catalog", "Our prices, on request", edit: id, removeFile: true)).StatusCode.Should().Be(HttpStatusCode.Redirect);

        (await FileRowAsync("catalog")).Should().BeNull();
        StoredFiles().Should().BeEmpty();
        var replies = await _app.WithDbAsync(db => QuickReplyService.ListAsync(db, _shop.Id, default));
        replies.Should().ContainSingle().Which.Should().Be(new QuickReplyView(id, "catalog", "Our prices, on request", null));
    }

    [Fact]
    public async Task Saving_only_the_text_keeps_the_file()
    {
        await SaveQuickReplyAsync(_owner, "catalog", "Our catalogue", TestFiles.Pdf(), "catalogue.pdf");
        var id = await QuickReplyIdAsync("catalog");

        await SaveQuickReplyAsync(_owner, "catalog", "Our new catalogue", edit: id);

        (await FileRowAsync("catalog"))!.FileName.Should().Be("catalogue.pdf");
        StoredFiles().Should().ContainSingle();
    }

    [Fact]
    public async Task Deleting_a_quick_reply_removes_its_stored_file()
    {
        await SaveQuickReplyAsync(_owner, "catalog", "Our catalogue", TestFiles.JpegWithGps(), "catalogue.jpg");
        var id = await QuickReplyIdAsync("catalog");
        StoredFiles().Should().NotBeEmpty();

        var token = InboxApp.AntiforgeryToken(await _owner.GetStringAsync("/settings/quick-replies"));
        var deleted = await _owner.PostAsync("/settings/quick-replies?handler=Delete",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["__RequestVerificationToken"] = token }));

        deleted.StatusCode.Should().Be(HttpStatusCode.Redirect);
        StoredFiles().Should().BeEmpty();
        (await _app.WithDbAsync(db => db.QuickReplyAttachments.CountAsync())).Should().Be(0);
        (await _owner.GetAsync($"/inbox/quick-replies/{id}/file")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_file_that_is_not_a_photo_or_pdf_is_refused_with_a_message_and_nothing_is_saved()
    {
        var response = await SaveQuickReplyAsync(_owner, "invoice", "Your invoice", TestFiles.ExecutableCalledPdf(), "invoice.pdf");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("This file is not a JPEG, PNG, WebP, GIF or PDF.");
        (await _app.WithDbAsync(db => db.QuickReplies.CountAsync())).Should().Be(0);
        StoredFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task A_12_MB_file_is_refused_as_too_large_and_nothing_is_saved()
    {
        var big = new byte[12 * 1024 * 1024];
        TestFiles.Pdf().CopyTo(big, 0);

        var response = await SaveQuickReplyAsync(_owner, "catalog", "Our catalogue", big, "catalogue.pdf");

        (await response.Content.ReadAsStringAsync()).Should().Contain("This file is larger than 10 MB.");
        (await _app.WithDbAsync(db => db.QuickReplies.CountAsync())).Should().Be(0);
        StoredFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task A_save_refused_for_its_shortcut_keeps_the_old_file_and_stores_nothing_new()
    {
        await SaveQuickReplyAsync(_owner, "catalog", "Our catalogue", TestFiles.Pdf(), "catalogue.pdf");
        await SaveQuickReplyAsync(_owner, "prices", "Our prices");
        var catalog = await QuickReplyIdAsync("catalog");
        var before = StoredFiles();

        var duplicate = await SaveQuickReplyAsync(_owner, "prices", "Our catalogue", TestFiles.JpegWithGps(), "new.jpg", edit: catalog);

        var html = await duplicate.Content.ReadAsStringAsync();
        html.Should().Contain("There is already a quick reply /prices.").And.Contain("The file was not saved: choose it again");
        StoredFiles().Should().BeEquivalentTo(before);
        (await FileRowAsync("catalog"))!.FileName.Should().Be("catalogue.pdf");
        (await _owner.GetAsync($"/inbox/quick-replies/{catalog}/file")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Sending_a_quick_reply_with_a_file_gives_the_customer_a_copy_that_outlives_the_quick_reply()
    {
        await SaveQuickReplyAsync(_owner, "catalog", "Our catalogue", TestFiles.JpegWithGps(), "catalogue.jpg");
        var id = await QuickReplyIdAsync("catalog");
        await using var customer = await _app.NewCustomerAsync(_shop.Slug);
        var received = new System.Collections.Concurrent.ConcurrentQueue<CustomerMessageView>();
        customer.Hub.On<CustomerMessageView>(nameof(ICustomerClient.Message), received.Enqueue);
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "first", "Do you have a catalogue?", null);
        var chatId = await _app.WithDbAsync(db => db.Chats.Select(c => c.Id).SingleAsync());

        var response = await SendQuickReplyFileAsync(_owner, chatId, id, "Here it is!");

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var sent = (await response.Content.ReadFromJsonAsync<MessageView>(Web))!;
        sent.Body.Should().Be("Here it is!");
        var pushed = await Eventually.ReturnsAsync(() => Task.FromResult(received.FirstOrDefault(m => m.Id == sent.Id)),
            m => m is not null, "the photo on the customer's page");
        pushed!.Attachment!.FileName.Should().Be("catalogue.jpg");
        pushed.Attachment.Kind.Should().Be(AttachmentKind.Image);
        var original = await (await _owner.GetAsync($"/inbox/quick-replies/{id}/file")).Content.ReadAsByteArrayAsync();
        var photo = await customer.Client.GetAsync($"/c/{_shop.Slug}/attachments/{pushed.Attachment.Id}");
        photo.StatusCode.Should().Be(HttpStatusCode.OK);
        (await photo.Content.ReadAsByteArrayAsync()).Should().Equal(original);
        (await customer.Client.GetAsync($"/c/{_shop.Slug}/attachments/{pushed.Attachment.Id}/thumbnail")).StatusCode.Should().Be(HttpStatusCode.OK);

        // The quick reply's file stays for the next customer, and deleting it later leaves the sent photo alone.
        (await FileRowAsync("catalog")).Should().NotBeNull();
        StoredFiles().Should().HaveCount(4);
        var token = InboxApp.AntiforgeryToken(await _owner.GetStringAsync("/settings/quick-replies"));
        await _owner.PostAsync("/settings/quick-replies?handler=Delete",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["__RequestVerificationToken"] = token }));
        StoredFiles().Should().HaveCount(2);
        (await customer.Client.GetAsync($"/c/{_shop.Slug}/attachments/{pushed.Attachment.Id}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Another_business_gets_404_for_a_quick_reply_file_and_cannot_send_it()
    {
        await SaveQuickReplyAsync(_owner, "catalog", "Our catalogue", TestFiles.Pdf(), "catalogue.pdf");
        var id = await QuickReplyIdAsync("catalog");
        var ourChat = await _app.CustomerWritesAsync(_shop.Id, "our-visitor", "Hello");
        var other = await _app.CreateBusinessAsync("other-shop");
        var theirChat = await _app.CustomerWritesAsync(other.Id, "their-visitor", "Hello");
        var stranger = (await _app.SignInAsync(other.OwnerEmail)).Client;
        var messagesBefore = await _app.WithDbAsync(db => db.Messages.CountAsync());

        (await stranger.GetAsync($"/inbox/quick-replies/{id}/file")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await SendQuickReplyFileAsync(stranger, theirChat.ChatId, id, "Stolen")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await SendQuickReplyFileAsync(_owner, theirChat.ChatId, id, "Wrong chat")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await _app.WithDbAsync(db => db.Messages.CountAsync())).Should().Be(messagesBefore);
        StoredFiles().Should().ContainSingle("only the quick reply's own PDF");
        await _app.AddMemberAsync(_shop, "agent@catalogue-shop.test", MemberRole.Agent);
        var agent = (await _app.SignInAsync("agent@catalogue-shop.test")).Client;
        (await agent.GetAsync($"/inbox/quick-replies/{id}/file")).StatusCode.Should().Be(HttpStatusCode.OK, "every member may use the quick reply");
        (await SendQuickReplyFileAsync(agent, ourChat.ChatId, id, "")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
