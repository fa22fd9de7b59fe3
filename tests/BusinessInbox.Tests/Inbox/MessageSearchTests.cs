using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.Inbox;

public sealed class MessageSearchTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow.AddDays(-300));
    private readonly InboxApp _app;

    public MessageSearchTests() => _app = new InboxApp { Clock = _clock };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_rare_word_in_an_old_message_is_found_behind_thousands_of_newer_ones_and_a_word_nobody_wrote_finds_nothing()
    {
        var shop = await _app.CreateBusinessAsync("rare");
        var old = await _app.CustomerWritesAsync(shop.Id, "v-old", "Our quokka chewed the parcel", "Olga");
        _clock.Advance(TimeSpan.FromDays(290));
        var busy = await _app.CustomerWritesAsync(shop.Id, "v-busy", "Is delivery free?", "Bert");
        // More newer hits for "delivery" than the index is asked to list, so both search strategies run.
        await AddMessagesAsync(shop.Id, busy.ChatId, "Is delivery free on Sundays?", MessageSearch.RareHits + 100);
        var quiet = await _app.CustomerWritesAsync(shop.Id, "v-quiet", "hello", "Quentin");
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);

        (await SearchAsync(staff, "QUOKKA")).Should().Equal(old.ChatId);
        (await SearchAsync(staff, "delivery")).Should().Equal(busy.ChatId);
        (await SearchAsync(staff, "wombat")).Should().BeEmpty();
        (await SearchAsync(staff, "quentin")).Should().ContainSingle().Which.Should().Be(quiet.ChatId, "names are searched as before");
    }

    [Fact]
    public async Task Terms_of_one_or_two_characters_are_found_in_all_history_inside_words_too_and_nowhere_else()
    {
        var shop = await _app.CreateBusinessAsync("short");
        var hours = await _app.CustomerWritesAsync(shop.Id, "v-hours", "明天营业吗？", "Wang");
        var shoes = await _app.CustomerWritesAsync(shop.Id, "v-shoes", "这双鞋还有42码吗", "Li");
        var book = await _app.CustomerWritesAsync(shop.Id, "v-book", "I'd like to book a table", "Bo");
        var wow = await _app.CustomerWritesAsync(shop.Id, "v-wow", "Really?! Tomorrow?", "Wu");
        _clock.Advance(TimeSpan.FromDays(290));
        // The same characters with a comma between them, and months of newer messages (25,000) with one of them.
        var near = await _app.CustomerWritesAsync(shop.Id, "v-near", "Go, kid! 国营，业务繁忙", "Gao");
        var busy = await _app.CustomerWritesAsync(shop.Id, "v-busy", "营养好吗", "Zhao");
        await AddMessagesAsync(shop.Id, busy.ChatId, "营养均衡，12码", 25_000);
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);

        (await SearchAsync(staff, "营业")).Should().Equal(hours.ChatId);
        (await SearchAsync(staff, "鞋")).Should().Equal(shoes.ChatId);
        (await SearchAsync(staff, "42")).Should().Equal(shoes.ChatId);
        (await SearchAsync(staff, "OK")).Should().Equal(book.ChatId);
        (await SearchAsync(staff, "?!")).Should().Equal(wow.ChatId);
        (await SearchAsync(staff, "营")).Should().Equal(busy.ChatId, near.ChatId, hours.ChatId);
        (await IndexHitsAsync("w")).Should().Be(1, "a character at the end of a word (\"Tomorrow\") is in the index too");
    }

    [Fact]
    public async Task An_index_without_the_pairs_for_short_terms_is_built_again_on_start()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "bi-tests", Guid.NewGuid().ToString("n"));
        TestBusiness shop;
        int hours;
        await using (var before = new InboxApp(dataPath) { Clock = _clock, KeepData = true })
        {
            shop = await before.CreateBusinessAsync("upgraded");
            hours = (await before.CustomerWritesAsync(shop.Id, "v-hours", "今天营业到几点？", "Wang")).ChatId;
            await before.Services.GetRequiredService<MessageSearchIndex>().CatchUpAsync(default);
        }
        // The index as an earlier version left it: trigrams only.
        await using (var search = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataPath, "inbox.search.db")};Pooling=False"))
        {
            await search.OpenAsync();
            await using var drop = search.CreateCommand();
            drop.CommandText = "DROP TABLE MessagePairs";
            await drop.ExecuteNonQueryAsync();
        }

        await using var after = new InboxApp(dataPath) { Clock = _clock };
        await after.Services.GetRequiredService<MessageSearchIndex>().CatchUpAsync(default);

        (await after.Services.GetRequiredService<MessageSearchIndex>().FindAsync("营业", 10, default))!.MessageIds.Should().HaveCount(1);
        (await after.Services.GetRequiredService<MessageSearchIndex>().FindAsync("几点？", 10, default))!.MessageIds.Should().HaveCount(1);
        await using var staff = await StaffSession.StartAsync(after, shop.OwnerEmail);
        (await SearchAsync(staff, "营业")).Should().Equal(hours);
    }

    [Fact]
    public async Task Search_results_never_include_another_business_chats()
    {
        var mine = await _app.CreateBusinessAsync("search-mine");
        var theirs = await _app.CreateBusinessAsync("search-theirs");
        var own = await _app.CustomerWritesAsync(mine.Id, "v-1", "Where is my quokka plush? 营业吗", "Ann");
        await _app.CustomerWritesAsync(theirs.Id, "v-2", "Another quokka plush please, 营业吗", "Ben");
        var busy = await _app.CustomerWritesAsync(theirs.Id, "v-3", "delivery?", "Cid");
        await AddMessagesAsync(theirs.Id, busy.ChatId, "quokka delivery", MessageSearch.RareHits + 100);
        await using var staff = await StaffSession.StartAsync(_app, mine.OwnerEmail);

        (await SearchAsync(staff, "quokka plush")).Should().Equal(own.ChatId);
        (await SearchAsync(staff, "quokka")).Should().Equal(own.ChatId);
        (await SearchAsync(staff, "营业")).Should().Equal(own.ChatId);
        (await SearchAsync(staff, "delivery")).Should().BeEmpty();
    }

    [Fact]
    public async Task An_erased_contact_leaves_no_hit_in_the_search_index()
    {
        var shop = await _app.CreateBusinessAsync("erase-index");
        var leaver = await _app.CustomerWritesAsync(shop.Id, "leaver", "Please forget my quokka story", "Frieda");
        await _app.CustomerWritesAsync(shop.Id, "stayer", "My quokka stays", "Stan");
        await CatchUpAsync();
        (await IndexHitsAsync("forget my")).Should().Be(1);

        await EraseContactOfAsync(shop.Id, leaver.ChatId);
        await CatchUpAsync();

        (await IndexHitsAsync("forget my")).Should().Be(0, "the erased text is gone from the index, not only from the table");
        (await IndexHitsAsync("stays")).Should().Be(1);
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        (await SearchAsync(staff, "quokka")).Should().NotContain(leaver.ChatId).And.HaveCount(1);
    }

    [Fact]
    public async Task A_new_message_is_found_before_and_after_the_index_takes_it_in()
    {
        var shop = await _app.CreateBusinessAsync("fresh");
        var chat = await _app.CustomerWritesAsync(shop.Id, "v-fresh", "Can I collect the quokka cake at six?", "Fay");
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);

        (await IndexHitsAsync("quokka cake")).Should().Be(0, "the index takes new messages in with its next pass");
        (await SearchAsync(staff, "quokka cake")).Should().Equal(chat.ChatId);

        await CatchUpAsync();

        (await IndexHitsAsync("quokka cake")).Should().Be(1);
        (await SearchAsync(staff, "quokka cake")).Should().Equal(chat.ChatId);
        (await SearchAsync(staff, "wombat cake")).Should().BeEmpty();
    }

    [Fact]
    public async Task The_index_follows_an_edited_message_and_one_erased_before_it_was_taken_in()
    {
        var shop = await _app.CreateBusinessAsync("changes");
        var edited = await _app.CustomerWritesAsync(shop.Id, "v-edit", "I ordered the wombat mug", "Eda");
        await CatchUpAsync();
        var leaver = await _app.CustomerWritesAsync(shop.Id, "v-early", "Forget my quokka order", "Erin");
        await EraseContactOfAsync(shop.Id, leaver.ChatId);
        await _app.WithDbAsync(db => db.Messages.Where(m => m.ChatId == edited.ChatId)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Body, "I ordered the quokka mug")));

        await CatchUpAsync();

        (await IndexHitsAsync("forget my")).Should().Be(0);
        (await IndexHitsAsync("wombat mug")).Should().Be(0);
        (await IndexHitsAsync("quokka mug")).Should().Be(1);
        (await IndexHitsAsync("fo")).Should().Be(0, "the pairs of the erased message are gone too");
        (await IndexHitsAsync("wo")).Should().Be(0, "and the edited message's old pairs");
        (await IndexHitsAsync("qu")).Should().Be(1);
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        (await SearchAsync(staff, "quokka")).Should().Equal(edited.ChatId);
    }

    [Fact]
    public async Task An_index_ahead_of_a_restored_inbox_database_is_built_again()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "bi-tests", Guid.NewGuid().ToString("n"));
        var backup = Path.Combine(dataPath, "backup.db");
        TestBusiness shop;
        int kept;
        await using (var before = new InboxApp(dataPath) { Clock = _clock, KeepData = true })
        {
            shop = await before.CreateBusinessAsync("restored");
            kept = (await before.CustomerWritesAsync(shop.Id, "v-kept", "Is the quokka lamp back?", "Rita")).ChatId;
            await before.WithDbAsync(db => db.Database.ExecuteSqlAsync($"VACUUM INTO {backup}"));
            await before.CustomerWritesAsync(shop.Id, "v-lost", "Two wombat candles please", "Lars");
            await before.Services.GetRequiredService<MessageSearchIndex>().CatchUpAsync(default);
        }
        // The inbox database goes back to the backup; the index, which holds the lost message, stays.
        foreach (var file in Directory.GetFiles(dataPath, "inbox.db*"))
        {
            File.Delete(file);
        }
        File.Move(backup, Path.Combine(dataPath, "inbox.db"));

        await using var after = new InboxApp(dataPath) { Clock = _clock };
        // The lost message's id is given again, to another message.
        var later = (await after.CustomerWritesAsync(shop.Id, "v-later", "A quokka lamp for me too", "Lea")).ChatId;
        await after.Services.GetRequiredService<MessageSearchIndex>().CatchUpAsync(default);

        await using var staff = await StaffSession.StartAsync(after, shop.OwnerEmail);
        (await SearchAsync(staff, "wombat candles")).Should().BeEmpty("the lost message's entry must not find the message that took its id");
        (await SearchAsync(staff, "quokka lamp")).Should().BeEquivalentTo([kept, later]);
    }

    [Fact]
    public async Task After_a_merge_the_moved_messages_are_found_in_the_kept_chat()
    {
        var shop = await _app.CreateBusinessAsync("merge-index");
        var kept = await _app.CustomerWritesAsync(shop.Id, "web-visitor", "hello from the browser", "Mia");
        var removed = await _app.CustomerWritesAsync(shop.Id, "web-visitor-2", "the quokka mug, second visit", "Mia M.");
        var (keptContact, removedContact) = await _app.WithDbAsync(async db =>
            (await db.Chats.Where(c => c.Id == kept.ChatId).Select(c => c.ContactId).SingleAsync(),
             await db.Chats.Where(c => c.Id == removed.ChatId).Select(c => c.ContactId).SingleAsync()));

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<ContactCommands>().MergeAsync(shop.Id, keptContact, removedContact, shop.OwnerId, default))
                .Should().BeTrue();
        }

        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        (await SearchAsync(staff, "quokka mug")).Should().Equal(kept.ChatId);
    }

    private static async Task<int[]> SearchAsync(StaffSession staff, string term) =>
        (await staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter(Search: term))).Chats.Select(c => c.Id).ToArray();

    private async Task<int> IndexHitsAsync(string term) =>
        (await _app.Services.GetRequiredService<MessageSearchIndex>().FindAsync(term, int.MaxValue, default))!.MessageIds.Count;

    /// <summary>Erases the contact of a chat, as the owner does from the contact's page.</summary>
    private async Task EraseContactOfAsync(int businessId, int chatId)
    {
        var contactId = await _app.WithDbAsync(db => db.Chats.Where(c => c.Id == chatId).Select(c => c.ContactId).SingleAsync());
        await using var scope = _app.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<ContactCommands>().EraseAsync(businessId, contactId, default)).Should().BeTrue();
    }

    /// <summary>Runs the index's passes until it holds every message, as its background passes would.</summary>
    private Task<long> CatchUpAsync() => _app.Services.GetRequiredService<MessageSearchIndex>().CatchUpAsync(default);

    /// <summary>Many messages at once, written as the ingest path would store them, and taken into the search index.</summary>
    private async Task AddMessagesAsync(int businessId, int chatId, string body, int count)
    {
        await _app.WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            var at = _clock.GetUtcNow().UtcTicks;
            for (var i = 0; i < count; i++)
            {
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"INSERT INTO Messages (BusinessId, ChatId, Channel, Direction, Author, Kind, Body, Status, CreatedAt, FromBlockedContact) VALUES ({businessId}, {chatId}, 0, 0, 0, 0, {body}, 3, {at}, 0)");
            }
            await tx.CommitAsync();
        });
        await CatchUpAsync();
    }
}
