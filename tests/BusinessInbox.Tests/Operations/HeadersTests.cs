using System.Net;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace BusinessInbox.Tests.Operations;

public sealed class HeadersTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/account/login")]
    [InlineData("/c/headers")]
    public async Task Pages_carry_a_strict_content_security_policy_and_the_security_headers(string path)
    {
        await _app.CreateBusinessAsync("headers");
        using var client = _app.CreateClient();

        var response = await client.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var scriptSrc = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        scriptSrc.Should().NotContain("unsafe-inline").And.NotContain("unsafe-eval");
        csp.Should().Contain("frame-ancestors 'none'").And.Contain("object-src 'none'");
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        response.Headers.GetValues("Referrer-Policy").Should().Equal("strict-origin-when-cross-origin");
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_endpoints_answer_without_sign_in(string path)
    {
        using var client = _app.CreateClient();
        var response = await client.GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Fact]
    public async Task The_public_chat_page_answers_429_with_retry_after_when_called_too_often()
    {
        await _app.CreateBusinessAsync("busy");
        using var client = _app.CreateClient();

        HttpResponseMessage response;
        var count = 0;
        do
        {
            response = await client.GetAsync("/c/busy");
            count++;
        }
        while (response.StatusCode == HttpStatusCode.OK && count < 200);

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        count.Should().BeGreaterThan(10, "a person reloading the page now and then is never refused");
        response.Headers.RetryAfter.Should().NotBeNull();
        response.Headers.RetryAfter!.Delta.Should().BeGreaterThan(TimeSpan.Zero);
    }

    [Fact]
    public async Task The_customer_hub_refuses_a_fast_sender_with_a_clear_message()
    {
        var shop = await _app.CreateBusinessAsync("flood");
        await using var customer = await _app.NewCustomerAsync(shop.Slug);

        HubException? refusal = null;
        for (var i = 0; i < 100 && refusal is null; i++)
        {
            try
            {
                await customer.Hub.InvokeAsync<BusinessInbox.Inbox.CustomerMessageView>("Send", $"m{i}", $"Message number {i}", null);
            }
            catch (HubException ex)
            {
                refusal = ex;
            }
        }

        refusal.Should().NotBeNull("a visitor cannot send a hundred messages in a row");
        refusal!.Message.Should().Contain("too quickly");
    }
}
