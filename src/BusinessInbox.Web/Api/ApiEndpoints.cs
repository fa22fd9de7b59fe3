using System.ComponentModel;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BusinessInbox.Api;

public sealed record SendMessageRequest([property: Description("The reply, at most 4,096 characters.")] string? Text);
public sealed record AssignRequest([property: Description("A member's user id, or null to unassign.")] string? UserId);
public sealed record StatusRequest(ChatStatus Status);

/// <summary>The JSON API under <c>/api/v1</c>, authenticated by a business API token.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapInboxApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(Policies.Api)
            .AddEndpointFilter<InboxErrorsFilter>()
            .WithTags("Conversations");

        api.MapGet("/conversations", ListConversations).WithName("ListConversations");
        api.MapGet("/conversations/{id:int}", GetConversation).WithName("GetConversation");
        api.MapGet("/conversations/{id:int}/messages", GetMessages).WithName("GetMessages");
        api.MapPost("/conversations/{id:int}/messages", SendMessage).WithName("SendMessage");
        api.MapPut("/conversations/{id:int}/assignee", Assign).WithName("AssignConversation");
        api.MapPut("/conversations/{id:int}/status", SetStatus).WithName("SetConversationStatus");
        api.MapGet("/labels", (HttpContext http, InboxDb db, CancellationToken ct) => Labels.LabelService.ListAsync(db, http.User.BusinessIdOf(), ct))
            .WithName("ListLabels").WithTags("Labels");
        return app;
    }

    /// <param name="view">all, unread, mine, unassigned (any letter case).</param>
    /// <param name="status">open, pending, resolved (any letter case).</param>
    /// <param name="label">Label ids (repeat for several): conversations with any of them.</param>
    private static async Task<Results<Ok<ChatPage>, ProblemHttpResult>> ListConversations(
        HttpContext http, InboxDb db, MessageSearchIndex search, string? view, string? status, string? q, string? cursor, int? limit, int[]? label,
        CancellationToken ct)
    {
        if (!TryParse(view, out InboxView? inboxView) || !TryParse(status, out ChatStatus? chatStatus))
        {
            return TypedResults.Problem(detail: "Use view=all|unread|mine|unassigned and status=open|pending|resolved.", statusCode: StatusCodes.Status400BadRequest);
        }
        var filter = new InboxFilter(inboxView ?? InboxView.All, chatStatus, q, cursor, limit ?? 30, label);
        return TypedResults.Ok(await InboxQueries.ListChatsAsync(db, search, http.User.BusinessIdOf(), "", filter, ct));
    }

    private static bool TryParse<T>(string? text, out T? value) where T : struct, Enum
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (Enum.TryParse<T>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !text.Any(char.IsAsciiDigit))
        {
            value = parsed;
            return true;
        }
        return false;
    }

    private static async Task<Results<Ok<ChatSummary>, ProblemHttpResult>> GetConversation(HttpContext http, InboxDb db, int id, CancellationToken ct) =>
        await InboxQueries.FindChatAsync(db, http.User.BusinessIdOf(), id, ct) is { } chat
            ? TypedResults.Ok(chat)
            : ConversationNotFound();

    private static async Task<Results<Ok<ThreadView>, ProblemHttpResult>> GetMessages(HttpContext http, InboxDb db, int id, long? before, CancellationToken ct) =>
        await InboxQueries.ThreadAsync(db, http.User.BusinessIdOf(), id, before, ct) is { } thread
            ? TypedResults.Ok(thread)
            : ConversationNotFound();

    // As application/problem+json, like every other refusal of the API.
    private static ProblemHttpResult ConversationNotFound() =>
        TypedResults.Problem(detail: "The conversation was not found.", statusCode: StatusCodes.Status404NotFound);

    private static async Task<Created<MessageView>> SendMessage(HttpContext http, ChatCommands commands, int id, SendMessageRequest request, CancellationToken ct)
    {
        var message = await commands.ReplyAsync(http.User.BusinessIdOf(), id, null, request.Text, privateNote: false, ct);
        return TypedResults.Created($"/api/v1/conversations/{id}/messages", message);
    }

    private static async Task<NoContent> Assign(HttpContext http, ChatCommands commands, int id, AssignRequest request, CancellationToken ct)
    {
        await commands.AssignAsync(http.User.BusinessIdOf(), id, null, string.IsNullOrEmpty(request.UserId) ? null : request.UserId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> SetStatus(HttpContext http, ChatCommands commands, int id, StatusRequest request, CancellationToken ct)
    {
        await commands.SetStatusAsync(http.User.BusinessIdOf(), id, null, request.Status, ct);
        return TypedResults.NoContent();
    }
}

/// <summary>Turns the inbox's refusals into problem details: 404 for what this business does not have, 400 for the rest.</summary>
internal sealed class InboxErrorsFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (InboxException ex)
        {
            var status = ex.Error == InboxError.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
            return TypedResults.Problem(detail: ex.Message, statusCode: status);
        }
        catch (InvalidCursorException ex)
        {
            return TypedResults.Problem(detail: ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }
}
