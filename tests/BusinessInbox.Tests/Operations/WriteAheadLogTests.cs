using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.WhatsApp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.Operations;

/// <summary>SQLite's write-ahead log, copied back into the database beside the writers (<see cref="WalCheckpointer"/>).</summary>
public sealed class WriteAheadLogTests : IAsyncLifetime
{
    /// <summary>Shorter than the app's, so that a test's worth of messages fills it many times over.</summary>
    private const int RestartAtPages = 1_000;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private WhatsAppWorld _world = null!;

    public async Task InitializeAsync() => _world = await WhatsAppWorld.StartAsync(_clock,
        services: s => s.Configure<WalCheckpointer.Settings>(o => o.RestartAtPages = RestartAtPages));

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task While_messages_keep_coming_the_log_is_started_over_long_before_sqlite_would_and_every_message_is_kept()
    {
        var inbound = _world.App.Services.GetRequiredService<InboundMessages>();
        var wal = Path.Combine(_world.App.DataPath, "inbox.db-wal");
        const int messages = 1_500;

        for (var n = 0; n < messages; n++)
        {
            var phone = $"49170{n % 300:D8}";
            await inbound.ReceiveAsync(new InboundMessage(
                _world.Shop.Id, ChannelKind.WhatsApp, phone, "Customer " + phone[^3..], "+" + phone, $"wamid.wal-{n}", $"Order {n}, is it ready?"), default);
            if (n % 20 == 19)
            {
                _clock.Advance(WalCheckpointer.Period);
            }
        }

        // Without the checkpointer, SQLite copies the log back only when it reaches its backstop, and the file grows to that.
        new FileInfo(wal).Length.Should().BeLessThan(2L * RestartAtPages * 4096);
        (await _world.MessagesAsync()).Should().HaveCount(messages);
        (await _world.App.WithDbAsync(db => db.Database.SqlQueryRaw<string>("PRAGMA integrity_check").ToListAsync()))
            .Should().Equal("ok");
    }
}
