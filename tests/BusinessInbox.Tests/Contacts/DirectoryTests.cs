using System.Net;
using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Tests.Accounts;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.Contacts;

public sealed class DirectoryTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Search_finds_contacts_by_name_phone_or_email_whatever_the_case()
    {
        var shop = await _app.CreateBusinessAsync("search");
        var anna = await _app.AddContactAsync(shop.Id, "Anna Schmidt", "+4930123456", "anna@example.org");
        var ben = await _app.AddContactAsync(shop.Id, "Ben", "+442079460999", "ben@shop.test");
        await _app.AddContactAsync(shop.Id, "Chris", null, "chris@else.test");
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;

        ContactPages.ContactLinks(await client.GetStringAsync("/contacts?q=aNNa")).Should().Equal(anna);
        ContactPages.ContactLinks(await client.GetStringAsync("/contacts?q=7946%200999")).Should().Equal(ben);
        ContactPages.ContactLinks(await client.GetStringAsync("/contacts?q=SHOP.TEST")).Should().Equal(ben);
        (await client.GetStringAsync("/contacts?q=nobody")).Should().Contain("No contact matches your search.");
    }

    [Fact]
    public async Task The_directory_shows_the_labels_of_each_contacts_chats_and_filters_by_one()
    {
        var shop = await _app.CreateBusinessAsync("labelled");
        var other = await _app.CreateBusinessAsync("labelled-other");
        var ada = await _app.CustomerWritesAsync(shop.Id, "ada", "Forty rolls, please", "Ada");
        await _app.CustomerWritesAsync(shop.Id, "ben", "Are you open?", "Ben");
        var (paid, theirs) = await _app.WithDbAsync(async db => (
            await db.Labels.Where(l => l.BusinessId == shop.Id && l.Name == "Paid").Select(l => l.Id).SingleAsync(),
            await db.Labels.Where(l => l.BusinessId == other.Id && l.Name == "Paid").Select(l => l.Id).SingleAsync()));
        await _app.WithDbAsync(db =>
        {
            db.ChatLabels.Add(new ChatLabel { ChatId = ada.ChatId, LabelId = paid });
            return db.SaveChangesAsync();
        });
        var adaId = await _app.WithDbAsync(db => db.Chats.Where(c => c.Id == ada.ChatId).Select(c => c.ContactId).SingleAsync());
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;

        var everyone = await client.GetStringAsync("/contacts");
        ContactPages.ContactLinks(everyone).Should().HaveCount(2);
        System.Text.RegularExpressions.Regex.Replace(everyone, "<[^>]*>", " ").Should().MatchRegex(@"Ada\s+Paid\s+Ben", "Ada's chat carries the label Paid and Ben's none");

        ContactPages.ContactLinks(await client.GetStringAsync($"/contacts?label={paid}")).Should().Equal(adaId);
        ContactPages.ContactLinks(await client.GetStringAsync($"/contacts?label={theirs}")).Should().HaveCount(2, "another business's label filters nothing");
        AccountForms.Text(await client.GetStringAsync($"/contacts/{adaId}")).Should().Contain("Paid");

        var export = Csv.Parse((await client.GetStringAsync($"/contacts/export?label={paid}")).TrimStart('\uFEFF'));
        export.Should().HaveCount(2, "the export follows the label filter");
        export[1][0].Should().Be("Ada");
        export[1][5].Should().Be("Paid");
    }

    [Fact]
    public async Task Pages_follow_each_sort_order_without_gaps_or_repeats()
    {
        var shop = await _app.CreateBusinessAsync("paging");
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = new List<int>();
        for (var i = 0; i < 60; i++)
        {
            // Mixed case, equal names, contacts without a name or without messages: the awkward cases for a cursor.
            var name = i % 10 == 0 ? null : (i % 2 == 0 ? "anna " : "Anna ") + (i % 7).ToString(System.Globalization.CultureInfo.InvariantCulture);
            ids.Add(await _app.AddContactAsync(shop.Id, name, created: start.AddMinutes(i % 5), lastMessage: i % 3 == 0 ? null : start.AddHours(i % 4)));
        }
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;

        var seen = new List<int>();
        string? url = "/contacts?sort=Name";
        var pages = 0;
        while (url is not null)
        {
            var html = await client.GetStringAsync(url);
            seen.AddRange(ContactPages.ContactLinks(html));
            url = ContactPages.NextPage(html);
            pages++;
        }
        pages.Should().Be(2, "50 contacts fit on a page");
        seen.Should().BeEquivalentTo(ids).And.OnlyHaveUniqueItems();
        var names = await _app.WithDbAsync(db => db.Contacts.ToDictionaryAsync(c => c.Id, c => c.Name));
        var shown = seen.Select(id => names[id]).ToList();
        shown.Should().BeInAscendingOrder(Comparer<string?>.Create((a, b) =>
            a is null ? (b is null ? 0 : 1) : b is null ? -1 : string.Compare(a, b, StringComparison.OrdinalIgnoreCase)));

        foreach (var sort in new[] { ContactSort.LastMessage, ContactSort.Created })
        {
            var all = new List<ContactRow>();
            string? cursor = null;
            do
            {
                var page = await _app.WithDbAsync(db => ContactQueries.ListAsync(db, shop.Id, new ContactFilter(Sort: sort, Cursor: cursor, Limit: 7), default));
                all.AddRange(page.Contacts);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            all.Select(c => c.Id).Should().BeEquivalentTo(ids, "{0} pages cover everyone once", sort).And.OnlyHaveUniqueItems();
            if (sort == ContactSort.Created)
            {
                all.Select(c => c.CreatedAt).Should().BeInDescendingOrder();
            }
            else
            {
                all.TakeWhile(c => c.LastMessageAt is not null).Select(c => c.LastMessageAt).Should().BeInDescendingOrder();
                all.SkipWhile(c => c.LastMessageAt is not null).Should().OnlyContain(c => c.LastMessageAt == null, "contacts who never wrote come last");
            }
        }
    }

    [Fact]
    public async Task A_phone_that_is_not_a_number_gets_a_clear_message_and_a_valid_one_is_stored_as_E164()
    {
        var shop = await _app.CreateBusinessAsync("phones");
        var id = await _app.AddContactAsync(shop.Id, "Dora", "+4930123456");
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;

        var (response, html) = await client.SubmitAsync($"/contacts/{id}", new()
        {
            ["Input.Name"] = "Dora", ["Input.Phone"] = "call me maybe", ["Input.Email"] = "not-an-address",
        }, "Save");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        html.Should().Contain("This is not a phone number").And.Contain("Enter an e-mail address such as name@example.com.");
        (await _app.WithDbAsync(db => db.Contacts.SingleAsync(c => c.Id == id))).Phone.Should().Be("+4930123456");

        (response, html) = await client.SubmitAsync($"/contacts/{id}", new()
        {
            ["Input.Name"] = "Dora D.", ["Input.Phone"] = "0044 20 7946 0123", ["Input.Email"] = "dora@example.org", ["Input.Notes"] = "Likes tulips",
        }, "Save");
        response.StatusCode.Should().Be(HttpStatusCode.Redirect, html);
        var stored = await _app.WithDbAsync(db => db.Contacts.SingleAsync(c => c.Id == id));
        (stored.Name, stored.Phone, stored.Email, stored.Notes).Should().Be(("Dora D.", "+442079460123", "dora@example.org", "Likes tulips"));
        WebUtility.HtmlDecode(await client.GetStringAsync($"/contacts/{id}")).Should().Contain("+44 20 7946 0123");
    }

    [Theory]
    [InlineData("+49 30 1234567", "+49301234567")]
    [InlineData("0049 (30) 123-4567", "+49301234567")]
    [InlineData("+1 650 253 0000", "+16502530000")]
    [InlineData("030 1234567", null)]
    [InlineData("+49 12", null)]
    [InlineData("twelve", null)]
    public void Phone_numbers_are_accepted_in_international_form_only(string input, string? e164) =>
        Phones.ToE164(input).Should().Be(e164);

    [Fact]
    public async Task Another_business_contact_is_not_found_on_any_contact_page()
    {
        var mine = await _app.CreateBusinessAsync("mine");
        var theirs = await _app.CreateBusinessAsync("theirs");
        var ours = await _app.AddContactAsync(mine.Id, "Ours", "+4930111111");
        var their = await _app.CustomerWritesAsync(theirs.Id, "their-visitor", "Private", "Theirs");
        var theirContact = await _app.WithDbAsync(db => db.Chats.Where(c => c.Id == their.ChatId).Select(c => c.ContactId).SingleAsync());
        var client = (await _app.SignInAsync(mine.OwnerEmail)).Client;

        foreach (var page in new[] { "", "/merge", "/erase", "/data" })
        {
            (await client.GetAsync($"/contacts/{theirContact}{page}")).StatusCode.Should().Be(HttpStatusCode.NotFound, page);
        }
        (await client.SubmitAsync($"/contacts/{ours}", new() { ["Input.Name"] = "Hacked" }, postTo: $"/contacts/{theirContact}?handler=Save")).Response
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.SubmitAsync($"/contacts/{ours}", new() { ["blocked"] = "true" }, postTo: $"/contacts/{theirContact}?handler=Block")).Response
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.SubmitAsync($"/contacts/{ours}/merge", new() { ["otherId"] = theirContact.ToString(System.Globalization.CultureInfo.InvariantCulture), ["keepId"] = ours.ToString(System.Globalization.CultureInfo.InvariantCulture) })).Response
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.SubmitAsync($"/contacts/{ours}/erase", new() { ["confirm"] = "Theirs" }, postTo: $"/contacts/{theirContact}/erase")).Response
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetStringAsync("/contacts?q=Theirs")).Should().Contain("No contact matches your search.");
        (await client.GetStringAsync("/contacts/export")).Should().NotContain("Theirs");

        var after = await _app.WithDbAsync(db => db.Contacts.AsNoTracking().SingleAsync(c => c.Id == theirContact));
        (after.Name, after.IsBlocked).Should().Be(("Theirs", false));
        (await _app.WithDbAsync(db => db.Messages.CountAsync(m => m.ChatId == their.ChatId))).Should().Be(1);
    }

    [Fact]
    public async Task Agents_see_the_directory_but_not_import_export_or_erase()
    {
        var shop = await _app.CreateBusinessAsync("roles");
        await _app.AddMemberAsync(shop, "agent@roles.test", MemberRole.Agent);
        var id = await _app.AddContactAsync(shop.Id, "Eve", "+4930222222");
        var agent = (await _app.SignInAsync("agent@roles.test")).Client;

        (await agent.GetAsync("/contacts")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await agent.GetStringAsync($"/contacts/{id}")).Should().NotContain("Erase contact");
        foreach (var url in new[] { "/contacts/import", "/contacts/export", $"/contacts/{id}/erase", $"/contacts/{id}/data", $"/contacts/{id}/merge" })
        {
            var response = await agent.GetAsync(url);
            response.StatusCode.Should().NotBe(HttpStatusCode.OK, url);
        }
    }
}
