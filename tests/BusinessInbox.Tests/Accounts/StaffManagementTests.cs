using System.Net;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.Accounts;

public sealed class StaffManagementTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_last_owner_can_be_neither_removed_nor_demoted()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var (_, demote) = await owner.Client.SubmitAsync("/settings/staff", new() { ["userId"] = shop.OwnerId, ["role"] = "Agent" }, "Role");
        AccountForms.Text(demote).Should().Contain("A business needs at least one owner.");
        var (_, remove) = await owner.Client.SubmitAsync("/settings/staff", new() { ["userId"] = shop.OwnerId }, "Remove");
        AccountForms.Text(remove).Should().Contain("A business needs at least one owner.");
        (await RoleOfAsync(shop, shop.OwnerId)).Should().Be(MemberRole.Owner);

        // With a second owner, the first may step down.
        var second = await _app.AddMemberAsync(shop, "olga@example.test", MemberRole.Agent);
        var (_, promote) = await owner.Client.SubmitAsync("/settings/staff", new() { ["userId"] = second, ["role"] = "Owner" }, "Role");
        AccountForms.Text(promote).Should().Contain("The role was changed.");
        var (stepDown, _) = await owner.Client.SubmitAsync("/settings/staff", new() { ["userId"] = shop.OwnerId, ["role"] = "Admin" }, "Role");
        stepDown.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await RoleOfAsync(shop, shop.OwnerId)).Should().Be(MemberRole.Admin);
        (await owner.Client.GetAsync("/settings/staff")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "an admin does not manage staff");
    }

    [Fact]
    public async Task The_staff_page_lists_members_with_their_role()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        await _app.AddMemberAsync(shop, "ali@example.test", MemberRole.Agent, "Ali Khan");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var page = AccountForms.Text(await owner.Client.GetStringAsync("/settings/staff"));

        page.Should().Contain("Ali Khan").And.Contain("ali@example.test").And.Contain("Owner of bakery").And.Contain("Joined 1 Jan 1970");
        page.Should().Contain("aria-label=\"Role of Ali Khan\"");
    }

    [Fact]
    public async Task An_agent_gets_403_on_the_owner_settings_and_sees_no_links_to_them()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        await _app.AddMemberAsync(shop, "ali@example.test", MemberRole.Agent);
        var agent = await _app.SignInAsync("ali@example.test");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        (await agent.Client.GetAsync("/settings/staff")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await agent.Client.GetAsync("/settings/tokens")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var (post, _) = await PostWithTokenFromAsync(agent.Client, "/account/profile", "/settings/staff?handler=Remove", new() { ["userId"] = shop.OwnerId });
        post.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var agentInbox = await agent.Client.GetStringAsync("/inbox");
        agentInbox.Should().NotContain("/settings/staff").And.NotContain("/settings/tokens");
        var ownerInbox = await owner.Client.GetStringAsync("/inbox");
        ownerInbox.Should().Contain("/settings/staff").And.Contain("/settings/tokens");
        (await owner.Client.GetAsync("/settings/staff")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_removed_member_loses_the_inbox_at_once_and_their_open_connection_hears_nothing_more()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var agentId = await _app.AddMemberAsync(shop, "ali@example.test", MemberRole.Agent);
        var agent = await _app.SignInAsync("ali@example.test");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        await using var agentHub = _app.Hub("/hubs/inbox", agent.CookieHeader);
        var revoked = new TaskCompletionSource<bool>();
        var closed = new TaskCompletionSource<bool>();
        var agentHeard = new List<string>();
        agentHub.On(nameof(IInboxClient.AccessRevoked), () => revoked.TrySetResult(true));
        agentHub.On<List<AddedMessage>>(nameof(IInboxClient.MessagesAdded), added => { lock (agentHeard) { agentHeard.AddRange(added.Select(a => a.Message.Body)); } });
        agentHub.Closed += _ => { closed.TrySetResult(true); return Task.CompletedTask; };
        await agentHub.StartAsync();

        await using var ownerHub = _app.Hub("/hubs/inbox", owner.CookieHeader);
        var ownerHeard = new TaskCompletionSource<string>();
        ownerHub.On<List<AddedMessage>>(nameof(IInboxClient.MessagesAdded), added => ownerHeard.TrySetResult(added[0].Message.Body));
        await ownerHub.StartAsync();

        var (removed, html) = await owner.Client.SubmitAsync("/settings/staff", new() { ["userId"] = agentId }, "Remove");
        removed.StatusCode.Should().Be(HttpStatusCode.OK);
        AccountForms.Text(html).Should().Contain("The member was removed");

        await revoked.Task.Within("the removed member's connection to hear AccessRevoked");
        await closed.Task.Within("the removed member's connection to be closed");
        (await agent.Client.GetAsync("/inbox")).StatusCode.Should().NotBe(HttpStatusCode.OK);

        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "Anyone there?", "Lena");
        (await ownerHeard.Task.Within("the owner to hear the customer")).Should().Be("Anyone there?");
        lock (agentHeard)
        {
            agentHeard.Should().BeEmpty();
        }

        // Their old cookie cannot open a new connection either.
        await using var retry = _app.Hub("/hubs/inbox", agent.CookieHeader);
        var reconnect = async () => await retry.StartAsync();
        await reconnect.Should().ThrowAsync<Exception>();
    }

    private Task<MemberRole> RoleOfAsync(TestBusiness shop, string userId) =>
        _app.WithDbAsync(db => db.Memberships.Where(m => m.BusinessId == shop.Id && m.UserId == userId).Select(m => m.Role).SingleAsync());

    private static async Task<(HttpResponseMessage, string)> PostWithTokenFromAsync(HttpClient client, string formPage, string target, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = InboxApp.AntiforgeryToken(await client.GetStringAsync(formPage));
        var response = await client.PostAsync(target, new FormUrlEncodedContent(fields));
        return (response, await response.Content.ReadAsStringAsync());
    }
}
