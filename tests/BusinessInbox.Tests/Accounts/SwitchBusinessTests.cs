using System.Net;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace BusinessInbox.Tests.Accounts;

public sealed class SwitchBusinessTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Switching_business_in_the_header_changes_the_chats_the_inbox_lists()
    {
        var bakery = await _app.CreateBusinessAsync("bakery", name: "Crumb Bakery");
        var florist = await _app.CreateBusinessAsync("florist", name: "Petal Florist");
        // The florist's owner also helps at the bakery (joined earlier, so signing in lands there).
        await _app.AddMemberAsync(bakery, florist.OwnerEmail, MemberRole.Agent);
        await WriteAsync(bakery, "Bea");
        await WriteAsync(florist, "Fiona");
        var member = await _app.SessionAsync(florist.OwnerEmail);

        var header = AccountForms.Text(await member.Client.GetStringAsync("/inbox"));
        header.Should().Contain("Switch business").And.Contain("Crumb Bakery").And.Contain("Petal Florist");
        (await ContactsAsync(member.CookieHeader())).Should().Equal("Bea");

        var (switched, _) = await member.Client.SubmitAsync("/inbox", new() { ["businessId"] = florist.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, null, "/account/switch");
        switched.StatusCode.Should().Be(HttpStatusCode.Redirect);
        switched.Headers.Location!.OriginalString.Should().Be("/inbox");

        (await ContactsAsync(member.CookieHeader())).Should().Equal("Fiona");
        (await member.Client.GetAsync("/settings/staff")).StatusCode.Should().Be(HttpStatusCode.OK, "they own the florist");
    }

    [Fact]
    public async Task Switching_to_a_business_one_is_not_a_member_of_is_not_found()
    {
        var bakery = await _app.CreateBusinessAsync("bakery");
        var florist = await _app.CreateBusinessAsync("florist");
        var owner = await _app.SessionAsync(bakery.OwnerEmail);

        var page = await owner.Client.GetStringAsync("/inbox");
        page.Should().NotContain("Switch business", "a member of one business has nothing to switch to");
        var (response, _) = await owner.Client.SubmitAsync("/inbox", new() { ["businessId"] = florist.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, null, "/account/switch");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ContactsAsync(owner.CookieHeader())).Should().BeEmpty();
    }

    private async Task WriteAsync(TestBusiness business, string name)
    {
        await using var customer = await _app.NewCustomerAsync(business.Slug);
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m-" + name, "Hello from " + name, name);
    }

    private async Task<List<string>> ContactsAsync(string cookie)
    {
        await using var hub = _app.Hub("/hubs/inbox", cookie);
        await hub.StartAsync();
        var page = await hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter());
        return [.. page.Chats.Select(c => c.ContactName)];
    }
}
