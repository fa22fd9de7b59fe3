using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Accounts;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.Contacts;

/// <summary>Arranging contacts and driving the contacts pages as a person would.</summary>
internal static partial class ContactPages
{
    public static Task<int> AddContactAsync(this InboxApp app, int businessId, string? name, string? phone = null, string? email = null,
        DateTimeOffset? created = null, DateTimeOffset? lastMessage = null) => app.WithDbAsync(async db =>
    {
        var contact = new Contact
        {
            BusinessId = businessId, Name = name, Phone = phone, Email = email,
            CreatedAt = created ?? DateTimeOffset.UnixEpoch, LastMessageAt = lastMessage,
        };
        db.Contacts.Add(contact);
        await db.SaveChangesAsync();
        return contact.Id;
    });

    /// <summary>The contact ids a page links to, in page order.</summary>
    public static List<int> ContactLinks(string html) =>
        [.. ContactLink().Matches(html).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    public static string? NextPage(string html) =>
        NextLink().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    /// <summary>Uploads a CSV file on the import page; returns the page's response (a redirect to the mapping step when accepted).</summary>
    public static async Task<HttpResponseMessage> UploadCsvAsync(this HttpClient client, byte[] file, string name = "contacts.csv")
    {
        var page = await client.GetStringAsync("/contacts/import");
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(InboxApp.AntiforgeryToken(page)), "__RequestVerificationToken");
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(content, "file", name);
        return await client.PostAsync("/contacts/import?handler=Upload", form);
    }

    /// <summary>Uploads, maps the columns as given and starts the import; returns the import's id.</summary>
    public static async Task<long> StartImportAsync(this HttpClient client, byte[] file, Dictionary<string, string> mapping)
    {
        var upload = await client.UploadCsvAsync(file);
        upload.StatusCode.Should().Be(HttpStatusCode.Redirect, await upload.Content.ReadAsStringAsync());
        var step = upload.Headers.Location!.OriginalString;
        var id = long.Parse(step[(step.IndexOf("id=", StringComparison.Ordinal) + 3)..], System.Globalization.CultureInfo.InvariantCulture);
        var (start, _) = await client.SubmitAsync(step, new(mapping), postTo: $"/contacts/import?id={id}&handler=Start");
        start.StatusCode.Should().Be(HttpStatusCode.Redirect);
        return id;
    }

    public sealed record Progress(string Status, int Total, int Processed, int Created, int Updated, int Skipped, string? Error);

    public static async Task<Progress> ProgressAsync(this HttpClient client, long id) =>
        JsonSerializer.Deserialize<Progress>(await client.GetStringAsync($"/contacts/import?handler=Progress&id={id}"), Web)!;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Polls the progress as the page does until the import ends; returns every answer seen.</summary>
    public static async Task<List<Progress>> FinishAsync(this HttpClient client, long id)
    {
        var seen = new List<Progress>();
        await Eventually.ReturnsAsync(async () =>
        {
            var p = await client.ProgressAsync(id);
            seen.Add(p);
            return p;
        }, p => p.Status is "Done" or "Failed", "the import to finish", TimeSpan.FromSeconds(60));
        return seen;
    }

    /// <summary>The tab counts as maintained, and as a recount of the chats says they should be.</summary>
    public static Task<(Dictionary<string, int> Maintained, Dictionary<string, int> Recount)> CountersAsync(this InboxApp app, int businessId) =>
        app.WithDbAsync(async db =>
        {
            var maintained = (await InboxCounters.ReadAllAsync(db, businessId, default)).Where(c => c.Value != 0).ToDictionary();
            var chats = await db.Chats.AsNoTracking().Where(c => c.BusinessId == businessId).ToListAsync();
            var recount = chats.SelectMany(c => InboxCounters.KeysOf(InboxCounters.ChatState.Of(c))).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
            return (maintained, recount);
        });

    [GeneratedRegex("""href="/contacts/(\d+)">""")]
    private static partial Regex ContactLink();

    [GeneratedRegex("""href="([^"]*cursor=[^"]*)">Next page""")]
    private static partial Regex NextLink();
}
