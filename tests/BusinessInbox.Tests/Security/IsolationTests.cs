using System.Net;
using System.Reflection;
using System.Text.Json;
using BusinessInbox.Channels.WebChat;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BusinessInbox.Tests.Security;

public sealed class IsolationTests : IAsyncLifetime
{
    private const string Anonymous = "anonymous";
    private const string Agent = "Agent";
    private const string Api = "Api";
    /// <summary>A page under Settings: signed-in members (the site-wide rule) who are owners (the folder's rule).</summary>
    private const string OwnerPage = "Agent+Owner";
    /// <summary>A page under Manage (labels, quick replies): signed-in members who are admins or owners.</summary>
    private const string ManagePage = "Agent+Admin";
    /// <summary>A page for admins and owners: signed-in members (the site-wide rule) with the Admin policy on the page.</summary>
    private const string AdminPage = "Admin+Agent";
    private const string NoAuthorization = "open to anyone (no authorization at all)";

    /// <summary>
    /// Who may reach each route. A new page, endpoint or hub without a line here fails the test, so
    /// that its author decides who may use it and proves it is scoped to the caller's business.
    /// </summary>
    private static readonly Dictionary<string, string> Routes = new()
    {
        ["/"] = Anonymous,
        ["/Index"] = Anonymous,
        ["/Error"] = Anonymous,
        ["/account/login"] = Anonymous,
        ["/account/logout"] = Anonymous,
        ["/setup"] = Anonymous,
        ["/c/{slug}"] = Anonymous,
        ["/c/{slug}/logo"] = Anonymous,
        ["/account/accept-invite"] = Anonymous,
        ["/account/profile"] = Agent,
        ["/account/switch"] = Agent,
        ["/settings/profile"] = OwnerPage,
        ["/settings/hours"] = OwnerPage,
        ["/settings/auto-replies"] = OwnerPage,
        ["/settings/staff"] = OwnerPage,
        ["/settings/tokens"] = OwnerPage,
        ["/settings/labels"] = ManagePage,
        ["/settings/quick-replies"] = ManagePage,
        ["/settings/whatsapp"] = OwnerPage,
        ["/inbox"] = Agent,
        ["/contacts"] = Agent,
        ["/contacts/{id:int}"] = Agent,
        ["/contacts/{id:int}/merge"] = AdminPage,
        ["/contacts/{id:int}/erase"] = AdminPage,
        ["/contacts/{id:int}/data"] = AdminPage,
        ["/contacts/export"] = AdminPage,
        ["/contacts/import"] = AdminPage,
        ["/stats"] = AdminPage,
        ["/hubs/inbox"] = Agent,
        ["/hubs/inbox/negotiate"] = Agent,
        ["/hubs/chat"] = Anonymous,
        ["/hubs/chat/negotiate"] = Anonymous,
        ["/healthz"] = Anonymous,
        ["/readyz"] = Anonymous,
        ["/openapi/{documentName}.json"] = Anonymous,
        // The static files' fallback (a 404 for a file that does not exist); it never reaches app code.
        ["/{**path:file}"] = NoAuthorization,
        ["/api/v1/conversations"] = Api,
        ["/api/v1/conversations/{id:int}"] = Api,
        ["/api/v1/conversations/{id:int}/messages"] = Api,
        ["/api/v1/conversations/{id:int}/assignee"] = Api,
        ["/api/v1/conversations/{id:int}/status"] = Api,
        ["/api/v1/labels"] = Api,
        // An API token, or a signed-in admin or owner (agents get 403): see docs/decisions on the statistics.
        ["/api/v1/stats"] = "StatsReader",
        // Meta's webhook: no sign-in, every delivery is checked against the app secret's signature instead.
        ["/webhooks/whatsapp"] = Anonymous,
        ["/webhooks/whatsapp/{slug}"] = Anonymous,
        // Photos and PDFs: staff read them in their current business only; the customer's routes check the visitor cookie and the chat.
        ["/inbox/chats/{chatId:int}/attachments"] = Agent,
        ["/inbox/attachments/{id:long}"] = Agent,
        ["/inbox/attachments/{id:long}/thumbnail"] = Agent,
        ["/c/{slug}/attachments"] = Anonymous,
        ["/c/{slug}/attachments/{id:long}"] = Anonymous,
        ["/c/{slug}/attachments/{id:long}/thumbnail"] = Anonymous,
        // A quick reply's file: read, and sent in a chat as a copy, by members of its business only.
        ["/inbox/quick-replies/{id:int}/file"] = Agent,
        ["/inbox/chats/{chatId:int}/attachments/quick-replies/{id:int}"] = Agent,
    };

    /// <summary>Who may call each hub method (the customer hub is anonymous: the visitor cookie picks the thread).</summary>
    private static readonly Dictionary<string, string> HubMethods = new()
    {
        ["InboxHub.ListChats"] = Agent,
        ["InboxHub.Counters"] = Agent,
        ["InboxHub.Thread"] = Agent,
        ["InboxHub.MessagesSince"] = Agent,
        ["InboxHub.Send"] = Agent,
        ["InboxHub.AddNote"] = Agent,
        ["InboxHub.MarkRead"] = Agent,
        ["InboxHub.MarkDelivered"] = Agent,
        ["InboxHub.Assign"] = Agent,
        ["InboxHub.SetStatus"] = Agent,
        ["InboxHub.Retry"] = Agent,
        ["InboxHub.Members"] = Agent,
        ["InboxHub.Labels"] = Agent,
        ["InboxHub.SetChatLabels"] = Agent,
        ["InboxHub.QuickReplies"] = Agent,
        ["InboxHub.RenderQuickReply"] = Agent,
        ["InboxHub.Templates"] = Agent,
        ["InboxHub.SendTemplate"] = Agent,
        ["CustomerChatHub.History"] = Anonymous,
        ["CustomerChatHub.Send"] = Anonymous,
        ["CustomerChatHub.Seen"] = Anonymous,
    };

    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Every_route_has_a_declared_access_rule_and_protected_ones_refuse_strangers()
    {
        var endpoints = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !IsStaticFile(e))
            .ToList();
        var actual = endpoints
            .GroupBy(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .ToDictionary(g => g.Key, g => g.Select(AccessOf).Distinct().Single());

        actual.Should().Equal(Routes, "every route needs an entry in the table above, with the access it really has");

        using var stranger = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var endpoint in endpoints.Where(e => AccessOf(e) is not (Anonymous or NoAuthorization)))
        {
            var route = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is [var first, ..] ? first : "GET";
            using var request = new HttpRequestMessage(new HttpMethod(method), route.Replace("{id:int}", "1", StringComparison.Ordinal).Replace("{id:long}", "1", StringComparison.Ordinal).Replace("{chatId:int}", "1", StringComparison.Ordinal));
            if (method is "POST" or "PUT")
            {
                request.Content = JsonContent(new { });
            }
            var response = await stranger.SendAsync(request);
            // Pages send a person to sign in; hubs and the API answer with a status code.
            if (!route.StartsWith("/hubs", StringComparison.Ordinal) && !route.StartsWith("/api", StringComparison.Ordinal))
            {
                response.StatusCode.Should().Be(HttpStatusCode.Redirect, route);
                response.Headers.Location!.OriginalString.Should().Contain("/account/login", route);
            }
            else
            {
                response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "{0} {1} needs a credential", method, route);
            }
        }
    }

    [Fact]
    public void Every_hub_method_has_a_declared_access_rule()
    {
        var actual = new[] { typeof(InboxHub), typeof(CustomerChatHub) }
            .SelectMany(hub => hub.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsSpecialName && m.Name is not (nameof(Hub.OnConnectedAsync) or nameof(Hub.OnDisconnectedAsync)))
                .Select(m => (Key: hub.Name + "." + m.Name, Access: HubAccessOf(hub, m))))
            .ToDictionary(x => x.Key, x => x.Access);

        actual.Should().Equal(HubMethods, "every hub method needs an entry in the table above");
    }

    [Fact]
    public async Task Staff_of_one_business_can_neither_read_nor_change_anything_of_another()
    {
        var mine = await _app.CreateBusinessAsync("mine");
        var theirs = await _app.CreateBusinessAsync("theirs");
        var theirChat = await _app.CustomerWritesAsync(theirs.Id, "their-visitor", "Secret order for the other shop", "Their customer");
        long theirFile;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var file = BusinessInbox.Attachments.AttachmentFiles.Check(Attachments.TestFiles.Pdf(), "their-prices.pdf").File!;
            var stored = await scope.ServiceProvider.GetRequiredService<BusinessInbox.Attachments.AttachmentUploads>().StoreAsync(theirs.Id, file, default);
            theirFile = (await scope.ServiceProvider.GetRequiredService<ChatCommands>()
                .ReplyWithAttachmentAsync(theirs.Id, theirChat.ChatId, theirs.OwnerId, "Their prices", privateNote: true, stored, default)).Attachment!.Id;
        }
        var theirReply = await _app.CommandAsync(c => c.ReplyAsync(theirs.Id, theirChat.ChatId, theirs.OwnerId, "Noted", privateNote: false, default));
        await Eventually.ReturnsAsync(() => _app.WithDbAsync(db => db.Outbox.CountAsync()), n => n == 0, "their reply to be sent");
        // A failed message, so that Retry would have something to do.
        await _app.WithDbAsync(db => db.Messages.Where(m => m.Id == theirReply.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Failed).SetProperty(m => m.FailureReason, "test")));
        var theirLabel = await _app.WithDbAsync(db => db.Labels.Where(l => l.BusinessId == theirs.Id).Select(l => l.Id).FirstAsync());
        await _app.WithDbAsync(db =>
        {
            db.ChatLabels.Add(new ChatLabel { ChatId = theirChat.ChatId, LabelId = theirLabel });
            return db.SaveChangesAsync();
        });
        int theirQuickReply;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var quickReplies = scope.ServiceProvider.GetRequiredService<BusinessInbox.QuickReplies.QuickReplyService>();
            (await quickReplies.SaveAsync(theirs.Id, null, "secret", "Their secret answer", new(Attachments.TestFiles.Pdf(), "secret.pdf"), false, default))
                .Should().BeEmpty();
            theirQuickReply = await _app.WithDbAsync(db => db.QuickReplies.Where(q => q.BusinessId == theirs.Id).Select(q => q.Id).SingleAsync());
        }
        var theirTemplate = await _app.WithDbAsync(async db =>
        {
            var template = new BusinessInbox.Channels.WhatsApp.WhatsAppTemplate
            {
                BusinessId = theirs.Id, Name = "their_secret", Language = "en_US", Category = "UTILITY", Status = "APPROVED", Body = "Secret {{1}}",
                ParameterCount = 1, Sendable = true, Components = "[]",
            };
            db.WhatsAppTemplates.Add(template);
            await db.SaveChangesAsync();
            return template.Id;
        });
        var before = await SnapshotAsync(theirs.Id);
        await using var staff = await StaffSession.StartAsync(_app, mine.OwnerEmail);

        var chat = theirChat.ChatId;
        var message = theirChat.MessageId;
        var calls = new Dictionary<string, Func<HubConnection, Task>>
        {
            ["Thread"] = h => h.InvokeAsync<ThreadView>("Thread", chat, null),
            ["MessagesSince"] = h => h.InvokeAsync<List<MessageView>>("MessagesSince", chat, 0L),
            ["Send"] = h => h.InvokeAsync<MessageView>("Send", chat, "Hello from the wrong shop"),
            ["AddNote"] = h => h.InvokeAsync<MessageView>("AddNote", chat, "A note in the wrong shop"),
            ["MarkRead"] = h => h.InvokeAsync("MarkRead", chat),
            ["MarkDelivered"] = h => h.InvokeAsync("MarkDelivered", chat, message),
            ["Assign"] = h => h.InvokeAsync("Assign", chat, mine.OwnerId),
            ["SetStatus"] = h => h.InvokeAsync("SetStatus", chat, ChatStatus.Resolved),
            ["Retry"] = h => h.InvokeAsync("Retry", theirReply.Id),
            ["SetChatLabels"] = h => h.InvokeAsync("SetChatLabels", chat, Array.Empty<int>()),
            ["RenderQuickReply"] = h => h.InvokeAsync<string>("RenderQuickReply", chat, theirQuickReply),
            ["SendTemplate"] = h => h.InvokeAsync<MessageView>("SendTemplate", chat, 1, Array.Empty<string>()),
        };
        var readsWithoutIds = new[] { "ListChats", "Counters", "Members", "Labels", "QuickReplies", "Templates" };
        calls.Keys.Concat(readsWithoutIds).Should().BeEquivalentTo(HubMethods.Keys.Where(k => k.StartsWith("InboxHub.", StringComparison.Ordinal)).Select(k => k[9..]),
            "every staff hub method is tried against the other business");

        foreach (var (name, call) in calls)
        {
            var attempt = () => call(staff.Hub);
            (await attempt.Should().ThrowAsync<HubException>(name)).Which.Message.Should().Contain("not found", name);
        }

        var list = await staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter(Search: "Secret"));
        list.Chats.Should().BeEmpty();
        (await staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter())).Chats.Should().BeEmpty();
        (await staff.Hub.InvokeAsync<Dictionary<string, int>>("Counters")).Values.Should().AllBeEquivalentTo(0);
        (await staff.Hub.InvokeAsync<List<MemberView>>("Members")).Select(m => m.Id).Should().Equal(mine.OwnerId);
        (await staff.Hub.InvokeAsync<List<BusinessInbox.Labels.LabelView>>("Labels")).Should().NotContain(l => l.Id == theirLabel);
        (await staff.Hub.InvokeAsync<List<BusinessInbox.QuickReplies.QuickReplyView>>("QuickReplies")).Should().BeEmpty();
        (await staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter(Labels: [theirLabel]))).Chats.Should().BeEmpty();
        // Their label on our chat is refused like their chat is.
        var ours0 = await _app.CustomerWritesAsync(mine.Id, "our-visitor", "Hi");
        var foreignLabel = () => staff.Hub.InvokeAsync("SetChatLabels", ours0.ChatId, new[] { theirLabel });
        (await foreignLabel.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("not found");
        (await staff.Hub.InvokeAsync<List<BusinessInbox.Channels.WhatsApp.TemplateView>>("Templates")).Should().BeEmpty();
        var foreignTemplate = () => staff.Hub.InvokeAsync<MessageView>("SendTemplate", ours0.ChatId, theirTemplate, Array.Empty<string>());
        (await foreignTemplate.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("not found");

        // Their customers' news never reaches our inbox.
        await _app.CustomerWritesAsync(theirs.Id, "their-visitor", "Another secret");
        var ours = await _app.CustomerWritesAsync(mine.Id, "our-visitor", "Hello shop");
        await Eventually.ReturnsAsync(() => Task.FromResult(staff.Added.Any(m => m.Id == ours.MessageId)), x => x, "our own customer's message");
        staff.Added.Should().OnlyContain(m => m.ChatId == ours.ChatId);
        staff.Changes.Should().NotContain(c => c.Chat.Id != ours.ChatId);
        staff.Statuses.Should().NotContain(s => s.ChatId != ours.ChatId);

        // Nothing of theirs changed, apart from the one message their own customer sent just now.
        var after = await SnapshotAsync(theirs.Id, excludeAfterMessageId: theirReply.Id);
        after.Should().Be(before);

        using var api = await BusinessInbox.Tests.Api.ApiTests.ApiClientAsync(_app, mine.Id);
        var requests = new Func<Task<HttpResponseMessage>>[]
        {
            () => api.GetAsync($"/api/v1/conversations/{chat}"),
            () => api.GetAsync($"/api/v1/conversations/{chat}/messages"),
            () => api.PostAsync($"/api/v1/conversations/{chat}/messages", JsonContent(new { text = "From the wrong shop" })),
            () => api.PutAsync($"/api/v1/conversations/{chat}/assignee", JsonContent(new { userId = mine.OwnerId })),
            () => api.PutAsync($"/api/v1/conversations/{chat}/status", JsonContent(new { status = "Resolved" })),
        };
        foreach (var request in requests)
        {
            await BusinessInbox.Tests.Api.ApiTests.ProblemAsync(await request(), HttpStatusCode.NotFound);
        }

        // Their files: neither readable nor can we add one to their chat.
        var member = (await _app.SignInAsync(mine.OwnerEmail)).Client;
        (await member.GetAsync($"/inbox/attachments/{theirFile}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await member.GetAsync($"/inbox/attachments/{theirFile}/thumbnail")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Attachments.AttachmentTests.StaffUploadAsync(member, chat, Attachments.TestFiles.Pdf(), "wrong-shop.pdf", "From the wrong shop"))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        // Their quick reply's file: neither readable nor sendable, in their chat or ours.
        (await member.GetAsync($"/inbox/quick-replies/{theirQuickReply}/file")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await QuickReplies.QuickReplyAttachmentTests.SendQuickReplyFileAsync(member, chat, theirQuickReply, "Their file"))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await QuickReplies.QuickReplyAttachmentTests.SendQuickReplyFileAsync(member, ours0.ChatId, theirQuickReply, "Their file"))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await SnapshotAsync(theirs.Id, excludeAfterMessageId: theirReply.Id)).Should().Be(before);
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    /// <summary>Everything a business has that staff could change, as text to compare.</summary>
    private Task<string> SnapshotAsync(int businessId, long excludeAfterMessageId = long.MaxValue) => _app.WithDbAsync(async db =>
    {
        var chats = await db.Chats.AsNoTracking().Where(c => c.BusinessId == businessId).OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.Status, c.AssigneeId, Labels = c.Labels.Select(l => l.LabelId).ToList() }).ToListAsync();
        var labels = await db.Labels.AsNoTracking().Where(l => l.BusinessId == businessId).OrderBy(l => l.Id).Select(l => new { l.Id, l.Name, l.Color }).ToListAsync();
        var quickReplies = await db.QuickReplies.AsNoTracking().Where(q => q.BusinessId == businessId).OrderBy(q => q.Id).Select(q => new { q.Id, q.Shortcut, q.Text }).ToListAsync();
        var quickReplyFiles = await db.QuickReplyAttachments.AsNoTracking().Where(a => a.BusinessId == businessId).OrderBy(a => a.Id).Select(a => new { a.Id, a.StorageKey }).ToListAsync();
        var messages = await db.Messages.AsNoTracking().Where(m => m.BusinessId == businessId && m.Id <= excludeAfterMessageId).OrderBy(m => m.Id)
            .Select(m => new { m.Id, m.Kind, m.Body, m.Status, m.FailureReason }).ToListAsync();
        var events = await db.ChatEvents.AsNoTracking().CountAsync(e => e.BusinessId == businessId);
        var outbox = await db.Outbox.AsNoTracking().CountAsync(o => o.BusinessId == businessId);
        return JsonSerializer.Serialize(new { chats, messages, events, outbox, labels, quickReplies, quickReplyFiles });
    });

    private static bool IsStaticFile(Endpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor");

    private static string AccessOf(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return Anonymous;
        }
        var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "authenticated").Distinct().ToList();
        return policies.Count == 0 ? NoAuthorization : string.Join("+", policies);
    }

    private static string HubAccessOf(Type hub, MethodInfo method)
    {
        if (method.GetCustomAttribute<AllowAnonymousAttribute>() is not null)
        {
            return Anonymous;
        }
        var attribute = method.GetCustomAttribute<AuthorizeAttribute>() ?? hub.GetCustomAttribute<AuthorizeAttribute>();
        return attribute?.Policy ?? (attribute is null ? Anonymous : "authenticated");
    }
}
