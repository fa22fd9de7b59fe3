using System.Net;
using BusinessInbox.Data;
using BusinessInbox.Staff;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Tests.Accounts;

public sealed class InvitationTests : IAsyncLifetime
{
    private const string NewPassword = "sunny meadow at noon";
    private readonly RecordingMail _mail = new();
    private readonly InboxApp _app;

    public InvitationTests()
    {
        _app = new InboxApp().WithServices(s =>
        {
            s.RemoveAll<IMailSender>();
            s.AddSingleton<IMailSender>(_mail);
        });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_invited_member_chooses_a_password_with_the_link_and_can_then_sign_in()
    {
        var shop = await _app.CreateBusinessAsync("bakery", name: "Crumb & Co");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var (added, page) = await owner.Client.AddMemberAsync("nina@example.test", "Nina", MemberRole.Agent);
        added.StatusCode.Should().Be(HttpStatusCode.OK);
        AccountForms.Text(page).Should().Contain("nina@example.test was added");
        var link = AccountForms.SharedLink(page);
        link.Should().StartWith("/account/accept-invite?user=");

        using var invitee = _app.Browser();
        var invitation = AccountForms.Text(await invitee.GetStringAsync(link));
        invitation.Should().Contain("Crumb & Co").And.Contain("nina@example.test").And.Contain("value=\"Nina\"");

        var (accepted, _) = await invitee.AcceptAsync(link, NewPassword, "Nina Berg");
        accepted.StatusCode.Should().Be(HttpStatusCode.Redirect);
        accepted.Headers.Location!.OriginalString.Should().Be("/inbox");
        (await invitee.GetAsync("/inbox")).StatusCode.Should().Be(HttpStatusCode.OK, "accepting signs the member in");

        var again = await _app.SignInAsync("nina@example.test", NewPassword);
        AccountForms.Text(await again.Client.GetStringAsync("/inbox")).Should().Contain("Nina Berg").And.Contain("Crumb & Co");
        var staffPage = AccountForms.Text(await owner.Client.GetStringAsync("/settings/staff"));
        staffPage.Should().Contain("Nina Berg").And.NotContain("Invitation not accepted yet");
    }

    [Fact]
    public async Task An_invitation_link_is_refused_the_second_time()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var owner = await _app.SignInAsync(shop.OwnerEmail);
        var link = AccountForms.SharedLink((await owner.Client.AddMemberAsync("nina@example.test", "Nina", MemberRole.Agent)).Html);
        using var invitee = _app.Browser();
        (await invitee.AcceptAsync(link, NewPassword)).Response.StatusCode.Should().Be(HttpStatusCode.Redirect);

        using var someoneElse = _app.Browser();
        var reopened = AccountForms.Text(await someoneElse.GetStringAsync(link));
        reopened.Should().Contain("This link has expired or was already used. Ask the owner for a new one.");
        reopened.Should().NotContain("Input.Password");

        // Posting the old form anyway changes nothing.
        var fields = new Dictionary<string, string>
        {
            ["Input.Name"] = "Mallory",
            ["Input.Password"] = "another long password",
            ["Input.ConfirmPassword"] = "another long password",
            ["__RequestVerificationToken"] = InboxApp.AntiforgeryToken(await someoneElse.GetStringAsync("/account/login")),
        };
        var replay = await someoneElse.PostAsync(link, new FormUrlEncodedContent(fields));
        replay.StatusCode.Should().Be(HttpStatusCode.OK);
        AccountForms.Text(await replay.Content.ReadAsStringAsync()).Should().Contain("This link has expired or was already used.");
        await _app.SignInAsync("nina@example.test", NewPassword);
    }

    [Fact]
    public async Task An_expired_invitation_link_is_refused()
    {
        // Identity's token provider reads the system clock, so the lifespan is shortened instead of the clock moved.
        await using var app = new InboxApp().WithServices(s => s.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.Zero));
        var shop = await app.CreateBusinessAsync("bakery");
        var owner = await app.SignInAsync(shop.OwnerEmail);
        var link = AccountForms.SharedLink((await owner.Client.AddMemberAsync("nina@example.test", "Nina", MemberRole.Agent)).Html);

        using var invitee = app.Browser();
        AccountForms.Text(await invitee.GetStringAsync(link)).Should().Contain("This link has expired or was already used.");
        var fields = new Dictionary<string, string>
        {
            ["Input.Name"] = "Nina",
            ["Input.Password"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
            ["__RequestVerificationToken"] = InboxApp.AntiforgeryToken(await invitee.GetStringAsync("/account/login")),
        };
        var refused = await invitee.PostAsync(link, new FormUrlEncodedContent(fields));
        refused.StatusCode.Should().Be(HttpStatusCode.OK);
        AccountForms.Text(await refused.Content.ReadAsStringAsync()).Should().Contain("This link has expired or was already used.");
    }

    [Fact]
    public void Invitation_links_last_three_days()
    {
        _app.Services.GetRequiredService<IOptions<DataProtectionTokenProviderOptions>>().Value.TokenLifespan.Should().Be(TimeSpan.FromDays(3));
    }

    [Fact]
    public async Task A_weak_password_is_refused_with_a_message_and_the_link_still_works()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var owner = await _app.SignInAsync(shop.OwnerEmail);
        var link = AccountForms.SharedLink((await owner.Client.AddMemberAsync("nina@example.test", "Nina", MemberRole.Agent)).Html);
        using var invitee = _app.Browser();

        var (weak, html) = await invitee.AcceptAsync(link, "short");
        weak.StatusCode.Should().Be(HttpStatusCode.OK);
        AccountForms.Text(html).Should().Contain("Passwords must be at least 10 characters.");

        var (different, html2) = await invitee.AcceptAsync(link, NewPassword, again: NewPassword + "!");
        different.StatusCode.Should().Be(HttpStatusCode.OK);
        AccountForms.Text(html2).Should().Contain("The two passwords are not the same.");

        (await invitee.AcceptAsync(link, NewPassword)).Response.StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task The_invitation_is_e_mailed_when_smtp_is_configured()
    {
        _mail.Configured = true;
        var shop = await _app.CreateBusinessAsync("bakery", name: "Crumb & Co");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var page = (await owner.Client.AddMemberAsync("nina@example.test", "Nina", MemberRole.Agent)).Html;

        AccountForms.Text(page).Should().Contain("The link was also sent by e-mail.");
        var mail = _mail.Sent.Should().ContainSingle().Subject;
        mail.To.Should().Be("nina@example.test");
        mail.Subject.Should().Contain("Crumb & Co");
        mail.Body.Should().Contain("http://localhost" + AccountForms.SharedLink(page));
    }

    [Fact]
    public async Task Without_smtp_nothing_is_sent_and_the_page_says_so()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var page = AccountForms.Text((await owner.Client.AddMemberAsync("nina@example.test", "Nina", MemberRole.Agent)).Html);

        page.Should().Contain("E-mail is not configured on this server");
        _mail.Sent.Should().BeEmpty();
    }

    [Fact]
    public async Task A_member_of_another_business_is_added_without_a_link_and_keeps_their_password()
    {
        var bakery = await _app.CreateBusinessAsync("bakery");
        var florist = await _app.CreateBusinessAsync("florist");
        var owner = await _app.SignInAsync(bakery.OwnerEmail);

        var (_, html) = await owner.Client.AddMemberAsync(florist.OwnerEmail, "Flora", MemberRole.Admin);

        AccountForms.HasSharedLink(html).Should().BeFalse();
        AccountForms.Text(html).Should().Contain("already has an account and was added");
        var role = await _app.WithDbAsync(db => db.Memberships.Where(m => m.BusinessId == bakery.Id && m.UserId == florist.OwnerId).Select(m => m.Role).SingleAsync());
        role.Should().Be(MemberRole.Admin);
        await _app.SignInAsync(florist.OwnerEmail);

        var (_, twice) = await owner.Client.AddMemberAsync(florist.OwnerEmail, "Flora", MemberRole.Agent);
        AccountForms.Text(twice).Should().Contain($"{florist.OwnerEmail} is already a member of this business.");
    }

    [Fact]
    public async Task A_password_reset_link_from_the_owner_replaces_a_forgotten_password()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var agentId = await _app.AddMemberAsync(shop, "ali@example.test", MemberRole.Agent, "Ali");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var (_, html) = await owner.Client.SubmitAsync("/settings/staff", new() { ["userId"] = agentId }, "ResetLink");
        AccountForms.Text(html).Should().Contain("Password link for ali@example.test");
        var link = AccountForms.SharedLink(html);

        using var ali = _app.Browser();
        AccountForms.Text(await ali.GetStringAsync(link)).Should().Contain("Choose a new password").And.Contain("ali@example.test");
        (await ali.AcceptAsync(link, NewPassword, "Ali")).Response.StatusCode.Should().Be(HttpStatusCode.Redirect);

        await _app.SignInAsync("ali@example.test", NewPassword);
        using var oldPassword = _app.Browser();
        var (refused, _) = await oldPassword.SubmitAsync("/account/login", new() { ["Input.Email"] = "ali@example.test", ["Input.Password"] = InboxApp.Password });
        refused.StatusCode.Should().Be(HttpStatusCode.OK, "the old password no longer signs in");
    }

    [Fact]
    public async Task An_owner_cannot_make_a_password_link_for_someone_who_also_works_for_another_business()
    {
        var bakery = await _app.CreateBusinessAsync("bakery");
        var florist = await _app.CreateBusinessAsync("florist");
        await _app.AddMemberAsync(bakery, florist.OwnerEmail, MemberRole.Agent);
        var owner = await _app.SignInAsync(bakery.OwnerEmail);

        var (_, html) = await owner.Client.SubmitAsync("/settings/staff", new() { ["userId"] = florist.OwnerId }, "ResetLink");

        AccountForms.HasSharedLink(html).Should().BeFalse();
        AccountForms.Text(html).Should().Contain("also belongs to another business");
    }

    [Fact]
    public async Task Another_business_s_member_is_not_found_on_the_staff_page()
    {
        var bakery = await _app.CreateBusinessAsync("bakery");
        var florist = await _app.CreateBusinessAsync("florist");
        var floristAgent = await _app.AddMemberAsync(florist, "fred@example.test", MemberRole.Agent);
        var owner = await _app.SignInAsync(bakery.OwnerEmail);

        foreach (var handler in new[] { "Remove", "ResetLink" })
        {
            var (response, _) = await owner.Client.SubmitAsync("/settings/staff", new() { ["userId"] = floristAgent }, handler);
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, handler);
        }
        var (role, _) = await owner.Client.SubmitAsync("/settings/staff", new() { ["userId"] = floristAgent, ["role"] = "Owner" }, "Role");
        role.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _app.WithDbAsync(db => db.Memberships.CountAsync(m => m.UserId == floristAgent))).Should().Be(1);
    }

    public sealed record SentMail(string To, string Subject, string Body);

    private sealed class RecordingMail : IMailSender
    {
        public bool Configured { get; set; }
        public List<SentMail> Sent { get; } = [];
        public bool IsConfigured => Configured;

        public Task SendAsync(string recipient, string subject, string body, CancellationToken ct)
        {
            Sent.Add(new SentMail(recipient, subject, body));
            return Task.CompletedTask;
        }
    }
}
