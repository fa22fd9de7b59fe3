using BusinessInbox.Stats;

namespace BusinessInbox.Tests.Stats;

public sealed class StatsRulesTests
{
    [Fact]
    public void Percentiles_use_the_nearest_rank_so_every_figure_is_a_time_that_really_happened()
    {
        long[] ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];

        (StatsQueries.Percentile(ten, 0.5), StatsQueries.Percentile(ten, 0.9)).Should().Be((5L, 9L));
        StatsQueries.Percentile([600, 36060], 0.5).Should().Be(600);
        StatsQueries.Percentile([42], 0.9).Should().Be(42);
        StatsQueries.Percentile([], 0.5).Should().BeNull();
    }

    [Fact]
    public void A_period_is_compared_with_as_many_days_just_before_it()
    {
        StatsPeriod.Preset("7d", new DateOnly(2026, 3, 31)).Should().Be(
            new StatsPeriod(new DateOnly(2026, 3, 25), new DateOnly(2026, 3, 31), new DateOnly(2026, 3, 18), new DateOnly(2026, 3, 24)));
        StatsPeriod.Preset("today", new DateOnly(2026, 1, 1)).Should().Be(
            new StatsPeriod(new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 1), new DateOnly(2025, 12, 31), new DateOnly(2025, 12, 31)));
        StatsPeriod.Parse("2026-01-01", "2026-12-31").Period!.Days.Should().Be(365);
        StatsPeriod.Parse("2024-01-01", "2024-12-31").Period!.Days.Should().Be(366);
        StatsPeriod.Parse("2024-01-01", "2025-01-01").Parameter.Should().Be("to");
    }

    [Fact]
    public void A_status_counts_as_the_state_it_ends_in()
    {
        // Read arriving before delivered: sent → read, then read → delivered is not a move and is never applied.
        var counted = StatsCounts.OfStatus(Data.MessageStatus.Read) - StatsCounts.OfStatus(Data.MessageStatus.Sent);
        counted.Should().Be(new StatsCounts(Delivered: 1, Read: 1));
        // Failed, then proof of delivery.
        (StatsCounts.OfStatus(Data.MessageStatus.Delivered) - StatsCounts.OfStatus(Data.MessageStatus.Failed))
            .Should().Be(new StatsCounts(Delivered: 1, Failed: -1));
    }
}
