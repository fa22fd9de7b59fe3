using System.Net;
using System.Text.RegularExpressions;
using BusinessInbox.Data;
using BusinessInbox.Tests.Infrastructure;

namespace BusinessInbox.Tests.Accounts;

/// <summary>Fills in the account and settings forms as a person would: open the page, then post it with its antiforgery token.</summary>
internal static partial class AccountForms
{
    public static async Task<(HttpResponseMessage Response, string Html)> SubmitAsync(
        this HttpClient client, string pageUrl, Dictionary<string, string> fields, string? handler = null, string? postTo = null)
    {
        var page = await client.GetAsync(pageUrl);
        page.StatusCode.Should().Be(HttpStatusCode.OK, "the form at {0} should open", pageUrl);
        fields["__RequestVerificationToken"] = InboxApp.AntiforgeryToken(await page.Content.ReadAsStringAsync());
        var target = postTo ?? (handler is null ? pageUrl : pageUrl + (pageUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "handler=" + handler);
        var response = await client.PostAsync(target, new FormUrlEncodedContent(fields));
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Adds a member on Settings → Staff and returns the page after it.</summary>
    public static Task<(HttpResponseMessage Response, string Html)> AddMemberAsync(this HttpClient owner, string email, string name, MemberRole role) =>
        owner.SubmitAsync("/settings/staff", new()
        {
            ["NewMember.Email"] = email,
            ["NewMember.Name"] = name,
            ["NewMember.Role"] = role.ToString(),
        }, "Add");

    /// <summary>The link in the page's copy field, as a path and query for the test client.</summary>
    public static string SharedLink(string html)
    {
        var match = ShareLink().Match(html);
        match.Success.Should().BeTrue("the page should show a link to copy");
        return new Uri(WebUtility.HtmlDecode(match.Groups[1].Value)).PathAndQuery;
    }

    public static bool HasSharedLink(string html) => ShareLink().IsMatch(html);

    /// <summary>Opens an invitation or password link and chooses a password.</summary>
    public static Task<(HttpResponseMessage Response, string Html)> AcceptAsync(this HttpClient client, string link, string password, string? name = null, string? again = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = again ?? password,
            ["Input.Name"] = name ?? "New Member",
        };
        return client.SubmitAsync(link, fields);
    }

    /// <summary>Signs in through the login form, keeping the cookie jar so that a test can read the cookie after it changes.</summary>
    public static async Task<Session> SessionAsync(this InboxApp app, string email, string password = InboxApp.Password)
    {
        var cookies = new CookieJar();
        var client = new HttpClient(new CookieHandler(cookies) { InnerHandler = app.Server.CreateHandler() }) { BaseAddress = app.Server.BaseAddress };
        var (response, _) = await client.SubmitAsync("/account/login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        response.StatusCode.Should().Be(HttpStatusCode.Redirect, "signing in as {0} should succeed", email);
        return new Session(client, () => cookies.Header);
    }

    public static string Text(string html) => WebUtility.HtmlDecode(html);

    [GeneratedRegex("id=\"share-link\" class=\"form-control\" readonly value=\"([^\"]+)\"")]
    private static partial Regex ShareLink();
}

/// <summary>A signed-in browser whose current cookie header can be read at any time.</summary>
internal sealed record Session(HttpClient Client, Func<string> CookieHeader);
