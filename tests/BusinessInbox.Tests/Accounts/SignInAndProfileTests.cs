using System.Net;
using BusinessInbox.Data;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.Accounts;

public sealed class SignInAndProfileTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_the_message_says_so()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        using var browser = _app.Browser();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var (wrong, html) = await browser.SubmitAsync("/account/login", new() { ["Input.Email"] = shop.OwnerEmail, ["Input.Password"] = "not the password " + attempt });
            wrong.StatusCode.Should().Be(HttpStatusCode.OK);
            AccountForms.Text(html).Should().Contain("The e-mail or password is not right.");
        }
        var (fifth, fifthHtml) = await browser.SubmitAsync("/account/login", new() { ["Input.Email"] = shop.OwnerEmail, ["Input.Password"] = "not the password 5" });
        AccountForms.Text(fifthHtml).Should().Contain("locked");

        var (right, rightHtml) = await browser.SubmitAsync("/account/login", new() { ["Input.Email"] = shop.OwnerEmail, ["Input.Password"] = InboxApp.Password });

        right.StatusCode.Should().Be(HttpStatusCode.OK, "even the right password is refused while locked");
        AccountForms.Text(rightHtml).Should().Contain("This account is locked for 15 minutes.");
    }

    [Fact]
    public async Task A_member_changes_their_name_and_notification_preferences()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var owner = await _app.SignInAsync(shop.OwnerEmail);
        AccountForms.Text(await owner.Client.GetStringAsync("/inbox")).Should().Contain("Owner of bakery", "the header shows the member's name");

        var (saved, html) = await owner.Client.SubmitAsync("/account/profile", new()
        {
            ["Details.Name"] = "Greta Baker",
            ["Details.NotifyWithSound"] = "false",
            ["Details.NotifyInBrowser"] = "true",
        }, "Details");

        saved.StatusCode.Should().Be(HttpStatusCode.OK);
        AccountForms.Text(html).Should().Contain("Your profile was saved.");
        AccountForms.Text(await owner.Client.GetStringAsync("/inbox")).Should().Contain("Greta Baker");
        var user = await _app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == shop.OwnerId));
        user.NotifyWithSound.Should().BeFalse();
        user.NotifyInBrowser.Should().BeTrue();
    }

    [Fact]
    public async Task An_empty_name_is_refused_next_to_the_field()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var (_, html) = await owner.Client.SubmitAsync("/account/profile", new() { ["Details.Name"] = "" }, "Details");

        AccountForms.Text(html).Should().MatchRegex("data-valmsg-for=\"Details.Name\"[^>]*>Enter your name.");
        (await _app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == shop.OwnerId))).DisplayName.Should().Be("Owner of bakery");
    }

    [Fact]
    public async Task A_member_changes_their_password_and_stays_signed_in()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var (_, wrong) = await owner.Client.SubmitAsync("/account/profile", new()
        {
            ["Password.Current"] = "not my password",
            ["Password.New"] = "a brand new passphrase",
            ["Password.Confirm"] = "a brand new passphrase",
        }, "Password");
        AccountForms.Text(wrong).Should().MatchRegex("data-valmsg-for=\"Password.Current\"[^>]*>That is not your current password.");

        var (_, weak) = await owner.Client.SubmitAsync("/account/profile", new()
        {
            ["Password.Current"] = InboxApp.Password,
            ["Password.New"] = "short",
            ["Password.Confirm"] = "short",
        }, "Password");
        AccountForms.Text(weak).Should().MatchRegex("data-valmsg-for=\"Password.New\"[^>]*>Passwords must be at least 10 characters.");

        var (changed, html) = await owner.Client.SubmitAsync("/account/profile", new()
        {
            ["Password.Current"] = InboxApp.Password,
            ["Password.New"] = "a brand new passphrase",
            ["Password.Confirm"] = "a brand new passphrase",
        }, "Password");
        changed.StatusCode.Should().Be(HttpStatusCode.OK);
        AccountForms.Text(html).Should().Contain("Your password was changed.");
        (await owner.Client.GetAsync("/inbox")).StatusCode.Should().Be(HttpStatusCode.OK);
        await _app.SignInAsync(shop.OwnerEmail, "a brand new passphrase");
    }

    [Fact]
    public async Task The_profile_needs_a_signed_in_member()
    {
        await _app.CreateBusinessAsync("bakery");
        using var anonymous = _app.Browser();

        var response = await anonymous.GetAsync("/account/profile");

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.Should().Contain("/account/login");
    }
}
