using BusinessInbox.Data;
using BusinessInbox.Labels;
using BusinessInbox.QuickReplies;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

public sealed record MemberView(string Id, string Name, MemberRole Role);

/// <summary>
/// The staff inbox's live connection (<c>/hubs/inbox</c>): reads and commands for the current business,
/// and the notifications of <see cref="InboxNotifier"/>. Every method works inside the caller's business only.
/// </summary>
[Authorize(Policy = Policies.Agent)]
public sealed class InboxHub(
    InboxDb db, ChatCommands commands, StaffConnections connections, LabelService labels, QuickReplyService quickReplies,
    Channels.WhatsApp.WhatsAppTemplates templates, MessageSearchIndex search) : Hub<IInboxClient>
{
    public override async Task OnConnectedAsync()
    {
        var businessId = Context.User!.BusinessIdOf();
        connections.Add(Context.User!.UserId(), businessId, Context);
        await Groups.AddToGroupAsync(Context.ConnectionId, InboxNotifier.BusinessGroup(businessId));
        await Groups.AddToGroupAsync(Context.ConnectionId, InboxNotifier.MemberGroup(businessId, Context.User!.UserId()));
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context);
        return base.OnDisconnectedAsync(exception);
    }

    private int BusinessId => Context.User!.BusinessIdOf();
    private string UserId => Context.User!.UserId();
    private CancellationToken Aborted => Context.ConnectionAborted;

    public Task<ChatPage> ListChats(InboxFilter filter) => InboxQueries.ListChatsAsync(db, search, BusinessId, UserId, filter, Aborted);

    public async Task<IReadOnlyDictionary<string, int>> Counters() => await InboxCounters.ReadAsync(db, BusinessId, UserId, Aborted);

    public async Task<ThreadView> Thread(int chatId, long? beforeId) =>
        await InboxQueries.ThreadAsync(db, BusinessId, chatId, beforeId, Aborted) ?? throw InboxException.NotFound("The conversation");

    /// <summary>What a reconnecting browser missed in the open thread.</summary>
    public async Task<List<MessageView>> MessagesSince(int chatId, long afterId)
    {
        _ = await InboxQueries.FindChatAsync(db, BusinessId, chatId, Aborted) ?? throw InboxException.NotFound("The conversation");
        return await InboxQueries.MessagesSinceAsync(db, BusinessId, chatId, afterId, Aborted);
    }

    public Task<MessageView> Send(int chatId, string text) => commands.ReplyAsync(BusinessId, chatId, UserId, text, privateNote: false, Aborted);

    public Task<MessageView> AddNote(int chatId, string text) => commands.ReplyAsync(BusinessId, chatId, UserId, text, privateNote: true, Aborted);

    public Task MarkRead(int chatId) => commands.MarkReadAsync(BusinessId, chatId, Aborted);

    public Task MarkDelivered(int chatId, long upToMessageId) => commands.MarkDeliveredAsync(BusinessId, chatId, upToMessageId, Aborted);

    public Task Assign(int chatId, string? userId) => commands.AssignAsync(BusinessId, chatId, UserId, string.IsNullOrEmpty(userId) ? null : userId, Aborted);

    public Task SetStatus(int chatId, ChatStatus status) => commands.SetStatusAsync(BusinessId, chatId, UserId, status, Aborted);

    public Task Retry(long messageId) => commands.RetryAsync(BusinessId, messageId, Aborted);

    /// <summary>The approved WhatsApp templates the composer offers outside the 24-hour window.</summary>
    public Task<List<Channels.WhatsApp.TemplateView>> Templates() => templates.SendableAsync(BusinessId, Aborted);

    /// <summary>Sends an approved template with its body values, filled in order.</summary>
    public Task<MessageView> SendTemplate(int chatId, int templateId, string[] values) =>
        templates.SendAsync(BusinessId, chatId, UserId, templateId, values, Aborted);

    public Task<List<MemberView>> Members() =>
        db.Memberships.AsNoTracking().Where(m => m.BusinessId == BusinessId)
            .OrderBy(m => m.User.DisplayName)
            .Select(m => new MemberView(m.UserId, m.User.DisplayName, m.Role))
            .ToListAsync(Aborted);

    public Task<List<LabelView>> Labels() => LabelService.ListAsync(db, BusinessId, Aborted);

    /// <summary>Replaces the chat's labels; everyone in the business sees the change live.</summary>
    public Task SetChatLabels(int chatId, int[] labelIds) => labels.SetChatLabelsAsync(BusinessId, chatId, labelIds, Aborted);

    public Task<List<QuickReplyView>> QuickReplies() => QuickReplyService.ListAsync(db, BusinessId, Aborted);

    /// <summary>A quick reply's text with its placeholders filled in for this chat, ready to edit and send.</summary>
    public Task<string> RenderQuickReply(int chatId, int quickReplyId) => quickReplies.RenderAsync(BusinessId, chatId, quickReplyId, Aborted);
}

/// <summary>Turns refusals into messages the browser can show, and hides everything else.</summary>
public sealed class InboxHubErrors(ILogger<InboxHubErrors> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (InboxException ex)
        {
            throw new HubException(ex.Message);
        }
        catch (InvalidCursorException ex)
        {
            throw new HubException(ex.Message);
        }
        catch (Exception ex) when (ex is not HubException and not OperationCanceledException)
        {
            logger.LogError(ex, "Hub method {Method} failed", invocationContext.HubMethodName);
            throw new HubException("Something went wrong. Please try again.");
        }
    }
}
