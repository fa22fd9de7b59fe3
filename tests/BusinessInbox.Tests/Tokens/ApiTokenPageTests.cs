using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using BusinessInbox.Tests.Accounts;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.Tokens;

public sealed partial class ApiTokenPageTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_new_token_is_shown_once_works_with_the_api_and_stops_working_when_revoked()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var (created, html) = await owner.Client.SubmitAsync("/settings/tokens", new() { ["NewToken.Name"] = "Shop website" }, "Create");
        created.StatusCode.Should().Be(HttpStatusCode.OK);
        var token = TokenField().Match(html).Groups[1].Value;
        token.Should().StartWith("bi_");

        var list = AccountForms.Text(await owner.Client.GetStringAsync("/settings/tokens"));
        list.Should().NotContain(token, "the token is shown only once").And.Contain("Shop website").And.Contain(token[..10]);

        using var api = _app.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await api.GetAsync("/api/v1/conversations")).StatusCode.Should().Be(HttpStatusCode.OK);
        AccountForms.Text(await owner.Client.GetStringAsync("/settings/tokens")).Should().NotContain("<td class=\"text-nowrap\">—</td>", "the last use is shown");

        var id = await _app.WithDbAsync(db => db.ApiTokens.Where(t => t.BusinessId == shop.Id).Select(t => t.Id).SingleAsync());
        var (revoked, after) = await owner.Client.SubmitAsync("/settings/tokens", new() { ["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "Revoke");
        revoked.StatusCode.Should().Be(HttpStatusCode.OK);
        AccountForms.Text(after).Should().Contain("The token was revoked.").And.Contain("Revoked ");

        (await api.GetAsync("/api/v1/conversations")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_needs_a_name()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var (_, html) = await owner.Client.SubmitAsync("/settings/tokens", new() { ["NewToken.Name"] = "   " }, "Create");

        AccountForms.Text(html).Should().Contain("Give the token a name");
        TokenField().IsMatch(html).Should().BeFalse();
        (await _app.WithDbAsync(db => db.ApiTokens.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task Another_business_s_token_cannot_be_revoked_and_is_not_found()
    {
        var bakery = await _app.CreateBusinessAsync("bakery");
        var florist = await _app.CreateBusinessAsync("florist");
        var florists = await _app.SignInAsync(florist.OwnerEmail);
        await florists.Client.SubmitAsync("/settings/tokens", new() { ["NewToken.Name"] = "Florist CRM" }, "Create");
        var id = await _app.WithDbAsync(db => db.ApiTokens.Select(t => t.Id).SingleAsync());
        var owner = await _app.SignInAsync(bakery.OwnerEmail);

        var (response, _) = await owner.Client.SubmitAsync("/settings/tokens", new() { ["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "Revoke");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _app.WithDbAsync(db => db.ApiTokens.Select(t => t.RevokedAt).SingleAsync())).Should().BeNull();
        (await owner.Client.GetStringAsync("/settings/tokens")).Should().NotContain("Florist CRM");
    }

    [GeneratedRegex("id=\"new-token\" class=\"form-control font-monospace\" readonly value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
