using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BusinessInbox.Data;
using BusinessInbox.Security;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.Api;

public sealed class ApiTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_integration_lists_reads_answers_assigns_and_resolves_conversations()
    {
        var shop = await _app.CreateBusinessAsync("api");
        var agentId = await _app.AddMemberAsync(shop, "sam@api.test", MemberRole.Agent, "Sam");
        var cake = await _app.CustomerWritesAsync(shop.Id, "v-cake", "Can I order a cake for Friday?", "Lena");
        var hours = await _app.CustomerWritesAsync(shop.Id, "v-hours", "What are your opening hours?", "Tom");
        using var api = await ClientAsync(shop.Id);

        var all = await GetJsonAsync(api, "/api/v1/conversations");
        Ids(all).Should().Equal(hours.ChatId, cake.ChatId);
        Ids(await GetJsonAsync(api, "/api/v1/conversations?q=cake")).Should().Equal(cake.ChatId);
        Ids(await GetJsonAsync(api, "/api/v1/conversations?view=unassigned&status=open")).Should().Equal(hours.ChatId, cake.ChatId);
        var firstPage = await GetJsonAsync(api, "/api/v1/conversations?limit=1");
        var cursor = firstPage.GetProperty("nextCursor").GetString();
        Ids(await GetJsonAsync(api, $"/api/v1/conversations?limit=1&cursor={cursor}")).Should().Equal(cake.ChatId);

        var sent = await api.PostAsJsonAsync($"/api/v1/conversations/{cake.ChatId}/messages", new { text = "Yes, which flavour?" });
        sent.StatusCode.Should().Be(HttpStatusCode.Created);
        var reply = await sent.Content.ReadFromJsonAsync<JsonElement>();
        reply.GetProperty("status").GetString().Should().BeOneOf("Queued", "Sent");
        var replyId = reply.GetProperty("id").GetInt64();
        await Eventually.ReturnsAsync(() => _app.WithDbAsync(db => db.Messages.Where(m => m.Id == replyId).Select(m => m.Status).SingleAsync()),
            s => s == MessageStatus.Sent, "the outbox to send the reply");
        var thread = await GetJsonAsync(api, $"/api/v1/conversations/{cake.ChatId}/messages");
        thread.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("body").GetString(), m.GetProperty("status").GetString()))
            .Should().Equal(("Can I order a cake for Friday?", "Read"), ("Yes, which flavour?", "Sent"));

        (await api.PutAsJsonAsync($"/api/v1/conversations/{cake.ChatId}/assignee", new { userId = agentId })).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await api.PutAsJsonAsync($"/api/v1/conversations/{cake.ChatId}/status", new { status = "Resolved" })).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var conversation = await GetJsonAsync(api, $"/api/v1/conversations/{cake.ChatId}");
        conversation.GetProperty("assigneeName").GetString().Should().Be("Sam");
        conversation.GetProperty("status").GetString().Should().Be("Resolved");
        Ids(await GetJsonAsync(api, "/api/v1/conversations?status=resolved")).Should().Equal(cake.ChatId);
    }

    [Fact]
    public async Task Bad_requests_get_readable_problem_details()
    {
        var shop = await _app.CreateBusinessAsync("strict");
        var elsewhere = await _app.CreateBusinessAsync("elsewhere");
        var chat = await _app.CustomerWritesAsync(shop.Id, "v1", "Hello");
        using var api = await ClientAsync(shop.Id);

        var empty = await api.PostAsJsonAsync($"/api/v1/conversations/{chat.ChatId}/messages", new { text = "   " });
        (await ProblemAsync(empty, HttpStatusCode.BadRequest)).GetProperty("detail").GetString().Should().Be("Write a message first.");

        var stranger = await api.PutAsJsonAsync($"/api/v1/conversations/{chat.ChatId}/assignee", new { userId = elsewhere.OwnerId });
        (await ProblemAsync(stranger, HttpStatusCode.BadRequest)).GetProperty("detail").GetString().Should().Contain("not a member");
        (await _app.WithDbAsync(db => db.Chats.Where(c => c.Id == chat.ChatId).Select(c => c.AssigneeId).SingleAsync())).Should().BeNull();

        var cursor = await api.GetAsync("/api/v1/conversations?cursor=yesterday");
        (await ProblemAsync(cursor, HttpStatusCode.BadRequest)).GetProperty("detail").GetString().Should().Contain("cursor");

        var missing = await api.GetAsync("/api/v1/conversations/999999");
        await ProblemAsync(missing, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_refused()
    {
        var shop = await _app.CreateBusinessAsync("locked");
        using var anonymous = _app.CreateClient();
        await ProblemAsync(await anonymous.GetAsync("/api/v1/conversations"), HttpStatusCode.Unauthorized);

        foreach (var token in new[] { "bi_thisTokenWasNeverIssuedByTheServer0000", "not-a-token" })
        {
            using var client = _app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await client.GetAsync("/api/v1/conversations")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "token {0} is not valid", token);
        }

        using var revoked = await ClientAsync(shop.Id);
        await _app.WithDbAsync(db => db.ApiTokens.ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, DateTimeOffset.UnixEpoch)));
        (await revoked.GetAsync("/api/v1/conversations")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // A signed-in staff cookie is not an API credential.
        var owner = await _app.SignInAsync(shop.OwnerEmail);
        (await owner.Client.GetAsync("/api/v1/conversations")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_endpoints_and_the_bearer_scheme()
    {
        using var client = _app.CreateClient();
        var document = await GetJsonAsync(client, "/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.Should().Contain(["/api/v1/conversations", "/api/v1/conversations/{id}", "/api/v1/conversations/{id}/messages",
            "/api/v1/conversations/{id}/assignee", "/api/v1/conversations/{id}/status"]);
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        scheme.GetProperty("type").GetString().Should().Be("http");
        scheme.GetProperty("scheme").GetString().Should().Be("bearer");
        document.GetProperty("paths").GetProperty("/api/v1/conversations").GetProperty("get").GetProperty("security")[0]
            .TryGetProperty("Bearer", out _).Should().BeTrue("every operation requires the token");
    }

    internal static async Task<HttpClient> ApiClientAsync(InboxApp app, int businessId)
    {
        var token = await app.WithDbAsync(db => ApiTokens.CreateAsync(db, businessId, "Integration", DateTimeOffset.UnixEpoch, default));
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    internal static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be((int)status);
        return problem;
    }

    private Task<HttpClient> ClientAsync(int businessId) => ApiClientAsync(_app, businessId);

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        response.StatusCode.Should().Be(HttpStatusCode.OK, "GET {0} answered {1}", url, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static int[] Ids(JsonElement page) => page.GetProperty("chats").EnumerateArray().Select(c => c.GetProperty("id").GetInt32()).ToArray();
}
