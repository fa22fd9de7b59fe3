using BusinessInbox.Channels;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.Outbox;

public sealed class OutboxTests
{
    private static InboxApp AppWith(ScriptedSender sender, FakeTimeProvider? clock = null, string? dataPath = null, bool keepData = false) =>
        new InboxApp(dataPath) { Clock = clock, KeepData = keepData }
            .WithSetting("Outbox:MaxAttempts", "3")
            .WithSetting("Outbox:FirstRetryDelay", "00:00:04")
            // Only a commit or the clock wakes the dispatcher in these tests.
            .WithSetting("Outbox:PollInterval", "00:10:00")
            .WithServices(s =>
            {
                s.RemoveAll<IChannelSender>();
                s.AddSingleton<IChannelSender>(sender);
            });

    [Fact]
    public async Task A_reply_the_channel_keeps_refusing_is_retried_later_each_time_then_failed_with_the_reason_and_can_be_retried()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var broken = true;
        var sender = new ScriptedSender
        {
            Clock = clock,
            Behaviour = (_, _) => broken
                ? throw new ChannelSendException("The network is down", transient: true)
                : Task.FromResult(new SendResult("ext-1")),
        };
        await using var app = AppWith(sender, clock);
        var shop = await app.CreateBusinessAsync("retries");
        var question = await app.CustomerWritesAsync(shop.Id, "v1", "Where is my order?");
        await using var staff = await StaffSession.StartAsync(app, shop.OwnerEmail);

        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", question.ChatId, "It left this morning.");

        var first = await ScheduledRetryAsync(app, sender, reply.Id, attempts: 1);
        (await MessageAsync(app, reply.Id)).Status.Should().Be(MessageStatus.Queued, "the reply waits in the outbox between attempts");
        first.Delay.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(4.5));

        await AdvanceUntilAttemptAsync(clock, sender, 2);
        sender.Attempts.Last().At.Should().BeOnOrAfter(first.Due, "no attempt is made before its time");
        var second = await ScheduledRetryAsync(app, sender, reply.Id, attempts: 2);
        second.Delay.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(4), "the delay doubles (with jitter) after each failure")
            .And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(8.5));

        await AdvanceUntilAttemptAsync(clock, sender, 3);
        var failed = await staff.StatusAsync(reply.Id, MessageStatus.Failed);
        failed.Reason.Should().Be("The network is down");
        var stored = await MessageAsync(app, reply.Id);
        (stored.Status, stored.FailureReason).Should().Be((MessageStatus.Failed, "The network is down"));
        (await app.WithDbAsync(db => db.Outbox.CountAsync())).Should().Be(0);
        sender.Calls[reply.Id].Should().Be(3);

        broken = false;
        await staff.Hub.InvokeAsync("Retry", reply.Id);
        await staff.StatusAsync(reply.Id, MessageStatus.Queued);
        await staff.StatusAsync(reply.Id, MessageStatus.Sent);
        stored = await MessageAsync(app, reply.Id);
        (stored.Status, stored.FailureReason, stored.ExternalId).Should().Be((MessageStatus.Sent, (string?)null, "ext-1"));
        sender.Calls[reply.Id].Should().Be(4);
    }

    [Fact]
    public async Task A_lasting_refusal_fails_the_reply_at_once_with_the_reason()
    {
        var sender = new ScriptedSender { Behaviour = (_, _) => throw new ChannelSendException("The customer blocked this number", transient: false) };
        await using var app = AppWith(sender);
        var shop = await app.CreateBusinessAsync("refused");
        var question = await app.CustomerWritesAsync(shop.Id, "v1", "Hi");
        await using var staff = await StaffSession.StartAsync(app, shop.OwnerEmail);

        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", question.ChatId, "Hello!");

        var failed = await staff.StatusAsync(reply.Id, MessageStatus.Failed);
        failed.Reason.Should().Be("The customer blocked this number");
        (await MessageAsync(app, reply.Id)).FailureReason.Should().Be("The customer blocked this number");
        sender.Calls[reply.Id].Should().Be(1);
    }

    [Fact]
    public async Task A_reply_committed_before_the_process_stopped_is_sent_exactly_once_after_the_restart()
    {
        var picked = new TaskCompletionSource();
        var hanging = new ScriptedSender
        {
            Behaviour = async (_, ct) =>
            {
                picked.TrySetResult();
                // The channel never answers: the process goes away with the reply still in the outbox.
                await Task.Delay(Timeout.Infinite, ct);
                return new SendResult(null);
            },
        };
        var firstRun = AppWith(hanging, keepData: true);
        var shop = await firstRun.CreateBusinessAsync("restart");
        var question = await firstRun.CustomerWritesAsync(shop.Id, "v1", "Are you there?");
        var reply = await firstRun.CommandAsync(c => c.ReplyAsync(shop.Id, question.ChatId, shop.OwnerId, "Yes, sorry for the wait!", privateNote: false, default));
        // The dispatcher of the first run has picked the reply up and hangs on the channel.
        await picked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        (await firstRun.WithDbAsync(db => db.Outbox.CountAsync(o => o.MessageId == reply.Id))).Should().Be(1);
        await firstRun.DisposeAsync();

        var counting = new ScriptedSender();
        await using var secondRun = AppWith(counting, dataPath: firstRun.DataPath);
        var sent = await Eventually.ReturnsAsync(() => MessageAsync(secondRun, reply.Id), m => m.Status == MessageStatus.Sent,
            "the restarted app to deliver the queued reply");

        sent.Body.Should().Be("Yes, sorry for the wait!");
        (await secondRun.WithDbAsync(db => db.Outbox.CountAsync())).Should().Be(0);
        counting.Calls.Should().Equal(new Dictionary<long, int> { [reply.Id] = 1 });
    }

    private static Task<Message> MessageAsync(InboxApp app, long id) =>
        app.WithDbAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.Id == id));

    /// <summary>Waits until failed attempt number <paramref name="attempts"/> is rescheduled; returns when and how long after that attempt.</summary>
    private static async Task<(DateTimeOffset Due, TimeSpan Delay)> ScheduledRetryAsync(InboxApp app, ScriptedSender sender, long messageId, int attempts)
    {
        await AttemptsAsync(sender, attempts);
        var row = await Eventually.ReturnsAsync(
            () => app.WithDbAsync(db => db.Outbox.AsNoTracking().SingleAsync(o => o.MessageId == messageId)),
            o => o.Attempts == attempts, $"attempt {attempts} to be rescheduled");
        row.LastError.Should().Be("The network is down");
        return (row.NextAttemptAt, row.NextAttemptAt - sender.Attempts.Last().At);
    }

    private static Task<int> AttemptsAsync(ScriptedSender sender, int count) =>
        Eventually.ReturnsAsync(() => Task.FromResult(sender.Attempts.Count), n => n >= count, $"attempt {count}");

    /// <summary>Moves the fake clock forward in small steps until the dispatcher makes the next attempt.</summary>
    private static Task<int> AdvanceUntilAttemptAsync(FakeTimeProvider clock, ScriptedSender sender, int count) =>
        Eventually.ReturnsAsync(
            () =>
            {
                if (sender.Attempts.Count < count)
                {
                    clock.Advance(TimeSpan.FromMilliseconds(250));
                }
                return Task.FromResult(sender.Attempts.Count);
            },
            n => n >= count, $"attempt {count} after moving the clock");
}
