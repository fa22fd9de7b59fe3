using System.Collections.Concurrent;
using BusinessInbox.Channels;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace BusinessInbox.Tests.Infrastructure;

public sealed record StatusPush(int ChatId, long[] Ids, MessageStatus Status, string? Reason);

/// <summary>A signed-in member's live inbox connection, recording everything the hub pushes.</summary>
public sealed class StaffSession(HubConnection hub) : IAsyncDisposable
{
    public HubConnection Hub { get; } = hub;
    /// <summary>The pushes of new messages, as they came.</summary>
    public ConcurrentQueue<IReadOnlyList<MessageView>> AddedPushes { get; } = new();
    /// <summary>Every new message pushed, in order.</summary>
    public IEnumerable<MessageView> Added => AddedPushes.SelectMany(push => push);
    public ConcurrentQueue<StatusPush> Statuses { get; } = new();
    public ConcurrentQueue<(ChatSummary Chat, ChatEventView? Change)> Changes { get; } = new();
    /// <summary>The tab counts as the page shows them: each push sets the counts it carries.</summary>
    public ConcurrentDictionary<string, int> Counters { get; } = new();
    /// <summary>How many count pushes arrived.</summary>
    public int CounterPushes => _counterPushes;
    private int _counterPushes;
    public ConcurrentQueue<int> Removed { get; } = new();

    public static async Task<StaffSession> StartAsync(InboxApp app, string email)
    {
        var signedIn = await app.SignInAsync(email);
        var session = new StaffSession(app.Hub("/hubs/inbox", signedIn.CookieHeader));
        session.Hub.On<List<AddedMessage>>(nameof(IInboxClient.MessagesAdded), added => session.AddedPushes.Enqueue([.. added.Select(a => a.Message)]));
        session.Hub.On<int, long[], MessageStatus, string?>(nameof(IInboxClient.MessagesStatus),
            (chat, ids, status, reason) => session.Statuses.Enqueue(new StatusPush(chat, ids, status, reason)));
        session.Hub.On<ChatSummary, ChatEventView?>(nameof(IInboxClient.ChatChanged), (c, e) => session.Changes.Enqueue((c, e)));
        session.Hub.On<Dictionary<string, int>>(nameof(IInboxClient.Counters), pushed =>
        {
            foreach (var (key, count) in pushed)
            {
                session.Counters[key] = count;
            }
            Interlocked.Increment(ref session._counterPushes);
        });
        session.Hub.On<int>(nameof(IInboxClient.ChatRemoved), id => session.Removed.Enqueue(id));
        await session.Hub.StartAsync();
        // As the page does: the first call is answered once the connection has joined its business's groups.
        foreach (var (key, count) in await session.Hub.InvokeAsync<Dictionary<string, int>>(nameof(InboxHub.Counters)))
        {
            session.Counters.TryAdd(key, count);
        }
        return session;
    }

    public async Task<StatusPush> StatusAsync(long messageId, MessageStatus status)
    {
        var push = await Eventually.ReturnsAsync(
            () => Task.FromResult(Statuses.FirstOrDefault(s => s.Status == status && s.Ids.Contains(messageId))),
            s => s is not null, $"staff to be told that message {messageId} is {status}");
        return push!;
    }

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}

/// <summary>A customer's chat page connection, recording the pushes it gets.</summary>
public static class CustomerPushes
{
    public static ConcurrentQueue<(long[] Ids, MessageStatus Status)> RecordStatuses(this Customer customer)
    {
        var queue = new ConcurrentQueue<(long[], MessageStatus)>();
        customer.Hub.On<long[], MessageStatus>(nameof(ICustomerClient.MessagesStatus), (ids, s) => queue.Enqueue((ids, s)));
        return queue;
    }
}

/// <summary>Server-side shortcuts for arranging data through the same services the hubs use.</summary>
public static class Arrange
{
    /// <summary>A customer's message arriving through the ingest path, as a channel would hand it over.</summary>
    public static async Task<InboundResult> CustomerWritesAsync(this InboxApp app, int businessId, string visitor, string body, string? name = null, string? phone = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var inbound = scope.ServiceProvider.GetRequiredService<InboundMessages>();
        return await inbound.ReceiveAsync(
            new InboundMessage(businessId, ChannelKind.WebChat, visitor, name, phone, $"test:{visitor}:{Guid.NewGuid():n}", body), default);
    }

    public static async Task<T> CommandAsync<T>(this InboxApp app, Func<ChatCommands, Task<T>> command)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await command(scope.ServiceProvider.GetRequiredService<ChatCommands>());
    }

    public static Task CommandAsync(this InboxApp app, Func<ChatCommands, Task> command) =>
        app.CommandAsync(async c => { await command(c); return true; });
}

/// <summary>A channel whose behaviour a test scripts; counts calls per message id.</summary>
public sealed class ScriptedSender : IChannelSender
{
    public ChannelKind Channel => ChannelKind.WebChat;
    public ConcurrentDictionary<long, int> Calls { get; } = new();
    public ConcurrentQueue<(long MessageId, DateTimeOffset At)> Attempts { get; } = new();
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>What a send does; by default it succeeds.</summary>
    public Func<OutgoingMessage, CancellationToken, Task<SendResult>> Behaviour { get; set; } = (_, _) => Task.FromResult(new SendResult(null));

    public Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        Calls.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
        Attempts.Enqueue((message.MessageId, Clock.GetUtcNow()));
        return Behaviour(message, ct);
    }
}
