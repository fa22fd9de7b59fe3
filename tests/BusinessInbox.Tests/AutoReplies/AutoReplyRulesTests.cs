using BusinessInbox.AutoReplies;
using BusinessInbox.Hours;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.AutoReplies;

public sealed class AutoReplyRulesTests
{
    private const string Zone = "Europe/Berlin";

    private static readonly BusinessClock NineToSix = new(new OpeningHours(Zone, HoursMode.SelectedHours,
        Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => DayHours.Of(new TimeRange(new TimeOnly(9, 0), new TimeOnly(18, 0)))), []));

    private static readonly AutoReplySettings Settings = new(
        new AwayMessage(true, "We are closed. {business.next_open}", AwaySchedule.OutsideOpeningHours),
        new GreetingMessage(true, "Welcome to {business.name}!"),
        [
            new KeywordRule(1, ["营业", "hours"], "We open 9–18 every day."),
            new KeywordRule(2, ["price"], "Prices are on our site.", KeywordActivity.WhenOpen),
        ]);

    private static DateTimeOffset Local(string when)
    {
        var time = DateTime.Parse(when, System.Globalization.CultureInfo.InvariantCulture);
        return new DateTimeOffset(time, TimeZoneInfo.FindSystemTimeZoneById(Zone).GetUtcOffset(time));
    }

    /// <summary>Remembers what was sent, as the database will, and walks a conversation through time.</summary>
    private sealed class Conversation(DateTimeOffset start)
    {
        public FakeTimeProvider Time { get; } = new(start);
        private DateTimeOffset? _lastCustomer;
        private DateTimeOffset? _lastStaff;
        private DateTimeOffset? _lastAway;
        private string? _awayPeriod;

        public bool Blocked { get; set; }

        public List<AutoReplyKind> CustomerWrites(string text, AutoReplySettings? settings = null)
        {
            var now = Time.GetUtcNow();
            var replies = AutoReplyRules.Decide(settings ?? Settings, NineToSix,
                new InboundFacts(now, text, Blocked, _lastCustomer, _lastStaff, _lastAway, _awayPeriod));
            _lastCustomer = now;
            if (replies.FirstOrDefault(r => r.Kind == AutoReplyKind.Away) is { } away)
            {
                _lastAway = now;
                _awayPeriod = away.AwayPeriod;
            }
            return replies.Select(r => r.Kind).ToList();
        }

        public void StaffReply() => _lastStaff = Time.GetUtcNow();
    }

    [Fact]
    public void At_night_a_customer_gets_one_away_reply_per_closed_period_and_none_after_staff_answered()
    {
        var chat = new Conversation(Local("2026-06-15 22:00"));
        chat.CustomerWrites("hello").Should().Equal(AutoReplyKind.Greeting, AutoReplyKind.Away);

        chat.Time.Advance(TimeSpan.FromMinutes(5));
        chat.CustomerWrites("anyone there?").Should().BeEmpty("the away message was already sent tonight");

        chat.Time.Advance(TimeSpan.FromMinutes(1));
        chat.StaffReply();
        chat.Time.Advance(TimeSpan.FromMinutes(1));
        chat.CustomerWrites("thanks").Should().BeEmpty("a person answered a minute ago");

        chat.Time.Advance(TimeSpan.FromHours(24));
        chat.CustomerWrites("me again").Should().Equal(AutoReplyKind.Away);
    }

    [Fact]
    public void During_opening_hours_nothing_is_sent_to_a_returning_customer()
    {
        var chat = new Conversation(Local("2026-06-15 10:00"));
        chat.CustomerWrites("hi").Should().Equal(AutoReplyKind.Greeting);
        chat.Time.Advance(TimeSpan.FromHours(1));
        chat.CustomerWrites("still there?").Should().BeEmpty();
    }

    [Fact]
    public void After_fifteen_days_of_silence_the_greeting_is_sent_again()
    {
        var chat = new Conversation(Local("2026-06-15 10:00"));
        chat.CustomerWrites("hi");
        chat.Time.Advance(TimeSpan.FromDays(13));
        chat.CustomerWrites("hi").Should().BeEmpty();
        chat.Time.Advance(TimeSpan.FromDays(15));
        chat.CustomerWrites("hi again").Should().Equal(AutoReplyKind.Greeting);
    }

    [Fact]
    public void A_chinese_keyword_triggers_its_rule_and_at_night_takes_the_place_of_the_away_message()
    {
        var chat = new Conversation(Local("2026-06-15 23:00"));
        chat.CustomerWrites("你好").Should().Equal(AutoReplyKind.Greeting, AutoReplyKind.Away);
        chat.Time.Advance(TimeSpan.FromHours(12));
        chat.CustomerWrites("请问今天营业吗？").Should().Equal(AutoReplyKind.Keyword);
        chat.Time.Advance(TimeSpan.FromHours(12));
        chat.CustomerWrites("明天营业时间？").Should().Equal([AutoReplyKind.Keyword], "the keyword reply replaces tonight's away message");
    }

    [Theory]
    [InlineData("What are your HOURS?", "hours", true)]
    [InlineData("hours.", "hours", true)]
    [InlineData("office-hours", "hours", true)]
    [InlineData("I like flowers", "flower", false)]
    [InlineData("showers", "hours", false)]
    [InlineData("营业时间", "营业", true)]
    [InlineData("Öffnungszeiten?", "öffnungszeiten", true)]
    public void Keywords_match_whole_words_in_any_case_and_anywhere_in_chinese(string text, string keyword, bool expected) =>
        AutoReplyRules.ContainsKeyword(text, keyword).Should().Be(expected);

    [Fact]
    public void A_keyword_rule_active_only_when_open_does_not_answer_at_night()
    {
        var chat = new Conversation(Local("2026-06-15 21:00"));
        chat.CustomerWrites("price?").Should().Equal(AutoReplyKind.Greeting, AutoReplyKind.Away);
    }

    [Fact]
    public void Nothing_automatic_is_ever_sent_to_a_blocked_contact()
    {
        var chat = new Conversation(Local("2026-06-15 22:00")) { Blocked = true };
        chat.CustomerWrites("hours").Should().BeEmpty();
    }

    [Fact]
    public void The_always_schedule_sends_once_until_staff_reply_or_a_day_passes()
    {
        var always = Settings with { Away = Settings.Away with { Schedule = AwaySchedule.Always }, Greeting = Settings.Greeting with { Enabled = false } };
        var chat = new Conversation(Local("2026-06-15 10:00"));
        chat.CustomerWrites("a", always).Should().Equal(AutoReplyKind.Away);
        chat.Time.Advance(TimeSpan.FromHours(2));
        chat.CustomerWrites("b", always).Should().BeEmpty();
        chat.StaffReply();
        chat.Time.Advance(TimeSpan.FromHours(1));
        chat.CustomerWrites("c", always).Should().Equal(AutoReplyKind.Away);
        chat.Time.Advance(TimeSpan.FromHours(25));
        chat.CustomerWrites("d", always).Should().Equal(AutoReplyKind.Away);
    }

    [Fact]
    public void A_custom_range_sends_once_per_contact_inside_the_range_only()
    {
        var holiday = Settings with
        {
            Away = new AwayMessage(true, "On holiday", AwaySchedule.CustomRange, Local("2026-08-01 00:00"), Local("2026-08-15 00:00")),
            Greeting = Settings.Greeting with { Enabled = false },
        };
        var chat = new Conversation(Local("2026-07-31 12:00"));
        chat.CustomerWrites("a", holiday).Should().BeEmpty();
        chat.Time.Advance(TimeSpan.FromDays(2));
        chat.CustomerWrites("b", holiday).Should().Equal(AutoReplyKind.Away);
        chat.Time.Advance(TimeSpan.FromDays(3));
        chat.CustomerWrites("c", holiday).Should().BeEmpty();
    }

    [Fact]
    public void New_contacts_only_leaves_returning_customers_alone()
    {
        var newOnly = Settings with { Recipients = Recipients.NewContacts };
        var chat = new Conversation(Local("2026-06-15 22:00"));
        chat.CustomerWrites("a", newOnly).Should().Equal(AutoReplyKind.Greeting, AutoReplyKind.Away);
        chat.Time.Advance(TimeSpan.FromDays(1));
        chat.CustomerWrites("b", newOnly).Should().BeEmpty();
    }

    [Fact]
    public void Unknown_placeholders_are_refused_with_the_list_of_valid_ones_and_known_ones_are_filled()
    {
        Placeholders.Check("Hi {contact.name}, see {business.website}").Should()
            .Be("Unknown placeholder {business.website}. You can use {contact.name}, {business.name}, {business.hours_today}, {business.next_open}.");
        Placeholders.Check("Hi {contact.name} from {business.name}").Should().BeNull();
        Placeholders.Render("Hi {contact.name}, {business.name} opens {business.next_open}.", new Dictionary<string, string?>
        {
            [Placeholders.ContactName] = "Lena",
            [Placeholders.BusinessName] = "Blumen Koch",
            [Placeholders.NextOpen] = "Mon 09:00",
        }).Should().Be("Hi Lena, Blumen Koch opens Mon 09:00.");
    }
}
