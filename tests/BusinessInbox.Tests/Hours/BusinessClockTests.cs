using BusinessInbox.Hours;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.Hours;

public sealed class BusinessClockTests
{
    private static TimeRange R(string start, string end) => new(TimeOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), TimeOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture));

    private static OpeningHours Weekdays(string zone, DayHours weekday, DayHours? saturday = null, DayHours? sunday = null, params DateOverride[] overrides) =>
        new(zone, HoursMode.SelectedHours, new Dictionary<DayOfWeek, DayHours>
        {
            [DayOfWeek.Monday] = weekday,
            [DayOfWeek.Tuesday] = weekday,
            [DayOfWeek.Wednesday] = weekday,
            [DayOfWeek.Thursday] = weekday,
            [DayOfWeek.Friday] = weekday,
            [DayOfWeek.Saturday] = saturday ?? DayHours.Closed,
            [DayOfWeek.Sunday] = sunday ?? DayHours.Closed,
        }, overrides);

    /// <summary>An instant given as local wall-clock time in a zone (for readable tests).</summary>
    private static DateTimeOffset At(string zone, string local)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var time = DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture);
        return new DateTimeOffset(time, tz.GetUtcOffset(time));
    }

    [Fact]
    public void A_shop_open_nine_to_six_is_open_on_a_weekday_morning_and_closes_at_six_local_time()
    {
        var clock = new BusinessClock(Weekdays("Europe/Berlin", DayHours.Of(R("09:00", "18:00"))));

        var state = clock.StateAt(At("Europe/Berlin", "2026-06-15 10:00"));

        state.IsOpen.Should().BeTrue();
        state.ChangesAtLocal.Should().Be(new DateTime(2026, 6, 15, 18, 0, 0));
        state.ChangesAt.Should().Be(new DateTimeOffset(2026, 6, 15, 16, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void On_friday_evening_the_next_opening_is_monday_morning_over_a_closed_weekend()
    {
        var clock = new BusinessClock(Weekdays("America/New_York", DayHours.Of(R("09:00", "17:00"))));

        var state = clock.StateAt(At("America/New_York", "2026-06-19 17:30"));

        state.IsOpen.Should().BeFalse();
        state.ChangesAtLocal.Should().Be(new DateTime(2026, 6, 22, 9, 0, 0));
    }

    [Fact]
    public void A_range_past_midnight_belongs_to_the_day_it_starts_and_stays_open_after_midnight()
    {
        var bar = Weekdays("Asia/Shanghai", DayHours.Closed, saturday: DayHours.Of(R("18:00", "02:00")));
        var clock = new BusinessClock(bar);
        var time = new FakeTimeProvider(At("Asia/Shanghai", "2026-06-20 23:30"));

        clock.IsOpen(time.GetUtcNow()).Should().BeTrue("Saturday's hours run to 02:00 on Sunday");
        time.Advance(TimeSpan.FromHours(1));
        clock.IsOpen(time.GetUtcNow()).Should().BeTrue("00:30 on Sunday is still Saturday's night");
        clock.StateAt(time.GetUtcNow()).ChangesAtLocal.Should().Be(new DateTime(2026, 6, 21, 2, 0, 0));
        time.Advance(TimeSpan.FromHours(2));
        clock.IsOpen(time.GetUtcNow()).Should().BeFalse("Sunday itself is closed");
        clock.StateAt(time.GetUtcNow()).ChangesAtLocal.Should().Be(new DateTime(2026, 6, 27, 18, 0, 0));
    }

    [Fact]
    public void A_holiday_closes_a_normal_weekday_and_shows_its_name()
    {
        var festival = new DateOverride(new DateOnly(2027, 2, 8), "Spring Festival", DayHours.Closed);
        var clock = new BusinessClock(Weekdays("Asia/Shanghai", DayHours.Of(R("09:00", "18:00")), overrides: festival));
        var monday = At("Asia/Shanghai", "2027-02-08 10:00");

        clock.IsOpen(monday).Should().BeFalse();
        clock.Today(monday).SpecialDay.Should().Be("Spring Festival");
        clock.StateAt(monday).ChangesAtLocal.Should().Be(new DateTime(2027, 2, 9, 9, 0, 0));
    }

    [Fact]
    public void A_special_day_can_have_its_own_shorter_hours()
    {
        var eve = new DateOverride(new DateOnly(2026, 12, 24), "Christmas Eve", DayHours.Of(R("09:00", "12:00")));
        var clock = new BusinessClock(Weekdays("Europe/Berlin", DayHours.Of(R("09:00", "18:00")), overrides: eve));

        clock.IsOpen(At("Europe/Berlin", "2026-12-24 13:00")).Should().BeFalse();
        clock.IsOpen(At("Europe/Berlin", "2026-12-23 13:00")).Should().BeTrue();
    }

    [Fact]
    public void A_range_that_starts_in_the_hour_skipped_in_spring_opens_when_the_clock_jumps()
    {
        // Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST.
        var clock = new BusinessClock(Weekdays("Europe/Berlin", DayHours.Closed, sunday: DayHours.Of(R("02:30", "10:00"))));

        var state = clock.StateAt(At("Europe/Berlin", "2026-03-29 01:30"));

        state.IsOpen.Should().BeFalse();
        state.ChangesAt.Should().Be(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero));
        state.ChangesAtLocal.Should().Be(new DateTime(2026, 3, 29, 3, 0, 0));
        clock.OpeningTimeBetween(At("Europe/Berlin", "2026-03-28 12:00"), At("Europe/Berlin", "2026-03-29 12:00"))
            .Should().Be(TimeSpan.FromHours(7));
    }

    [Fact]
    public void A_day_open_around_the_clock_has_23_hours_in_spring_and_25_in_autumn()
    {
        var allWeek = Weekdays("America/New_York", DayHours.AllDay, DayHours.AllDay, DayHours.AllDay);
        var clock = new BusinessClock(allWeek);

        clock.OpeningTimeBetween(At("America/New_York", "2026-03-08 00:00"), At("America/New_York", "2026-03-09 00:00"))
            .Should().Be(TimeSpan.FromHours(23));
        clock.OpeningTimeBetween(At("America/New_York", "2026-11-01 00:00"), At("America/New_York", "2026-11-02 00:00"))
            .Should().Be(TimeSpan.FromHours(25));
    }

    [Fact]
    public void A_range_over_the_repeated_autumn_hour_lasts_its_full_length()
    {
        // Berlin, 25 October 2026: 03:00 CEST falls back to 02:00 CET, so 00:00–06:00 is seven hours.
        var clock = new BusinessClock(Weekdays("Europe/Berlin", DayHours.Closed, sunday: DayHours.Of(R("00:00", "06:00"))));

        clock.OpeningTimeBetween(At("Europe/Berlin", "2026-10-24 12:00"), At("Europe/Berlin", "2026-10-25 12:00"))
            .Should().Be(TimeSpan.FromHours(7));
        clock.IsOpen(new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero)).Should().BeTrue("02:30 the second time is still inside the range");
    }

    [Fact]
    public void A_timeline_of_a_month_gives_the_same_opening_times_as_counting_each_span_across_DST_and_a_holiday()
    {
        var hours = Weekdays("Europe/Berlin", DayHours.Of(R("09:00", "12:00"), R("13:00", "18:00")),
            saturday: DayHours.Of(R("22:00", "02:00")), sunday: DayHours.Of(R("00:00", "06:00")),
            new DateOverride(new DateOnly(2026, 10, 28), "Holiday", DayHours.Closed));
        var clock = new BusinessClock(hours);
        var from = At("Europe/Berlin", "2026-10-10 00:00");
        var to = At("Europe/Berlin", "2026-11-10 00:00");
        var timeline = clock.Timeline(from, to);
        var random = new Random(7);

        for (var i = 0; i < 500; i++)
        {
            var a = from.AddMinutes(random.Next(0, 31 * 24 * 60));
            var b = a.AddMinutes(random.Next(0, 10 * 24 * 60));
            b = b > to ? to : b;
            timeline.Between(a, b).Should().Be(clock.OpeningTimeBetween(a, b), "from {0:o} to {1:o}", a, b);
        }
        timeline.Between(to, from).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Opening_time_between_two_instants_counts_only_the_open_hours_across_a_weekend()
    {
        var clock = new BusinessClock(Weekdays("Europe/Berlin", DayHours.Of(R("09:00", "12:00"), R("13:00", "18:00"))));

        var friday4pm = At("Europe/Berlin", "2026-06-19 16:00");
        var monday10am = At("Europe/Berlin", "2026-06-22 10:00");

        clock.OpeningTimeBetween(friday4pm, monday10am).Should().Be(TimeSpan.FromHours(3));
    }

    [Fact]
    public void Always_open_and_by_appointment_only_never_change_state()
    {
        var always = new BusinessClock(new OpeningHours("UTC", HoursMode.AlwaysOpen, new Dictionary<DayOfWeek, DayHours>(), []));
        var appointment = new BusinessClock(new OpeningHours("UTC", HoursMode.ByAppointmentOnly, new Dictionary<DayOfWeek, DayHours>(), []));
        var now = new DateTimeOffset(2026, 6, 15, 3, 0, 0, TimeSpan.Zero);

        always.StateAt(now).Should().Be(new OpenState(true, null, null));
        appointment.StateAt(now).Should().Be(new OpenState(false, null, null));
        always.OpeningTimeBetween(now, now.AddHours(5)).Should().Be(TimeSpan.FromHours(5));
    }

    [Fact]
    public void The_answers_do_not_depend_on_the_servers_own_time_zone()
    {
        var hours = Weekdays("Asia/Shanghai", DayHours.Of(R("09:00", "18:00")), saturday: DayHours.Of(R("20:00", "01:00")));
        var instants = Enumerable.Range(0, 7 * 24).Select(h => new DateTimeOffset(2026, 3, 26, 0, 0, 0, TimeSpan.Zero).AddHours(h)).ToList();
        var before = instants.Select(i => new BusinessClock(hours).StateAt(i)).ToList();

        var original = Environment.GetEnvironmentVariable("TZ");
        try
        {
            Environment.SetEnvironmentVariable("TZ", "Pacific/Chatham");
            TimeZoneInfo.ClearCachedData();
            var after = instants.Select(i => new BusinessClock(hours).StateAt(i)).ToList();
            after.Should().Equal(before);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", original);
            TimeZoneInfo.ClearCachedData();
        }
    }

    [Fact]
    public void Overlapping_ranges_a_range_ending_when_it_starts_and_an_unknown_zone_are_each_named()
    {
        var hours = new OpeningHours("Mars/Olympus_Mons", HoursMode.SelectedHours, new Dictionary<DayOfWeek, DayHours>
        {
            [DayOfWeek.Monday] = DayHours.Of(R("09:00", "13:00"), R("12:00", "18:00")),
            [DayOfWeek.Tuesday] = DayHours.Of(R("09:00", "09:00")),
        }, []);

        hours.Validate().Should().BeEquivalentTo(
            "\"Mars/Olympus_Mons\" is not a known time zone.",
            "Monday: 09:00–13:00 overlaps 12:00–18:00.",
            "Tuesday: the range 09:00–09:00 ends when it starts.");
    }
}
