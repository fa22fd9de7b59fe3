using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BusinessInbox.Stats;

/// <summary>
/// Message counts of one local hour (in the business's time zone at the time of writing), kept up to date in the
/// same transaction as the messages and statuses they count. No contact is named, so erasing one changes nothing here.
/// Statuses count our outbound messages in their current state, on the hour the message was written.
/// </summary>
public class StatsHour
{
    public int BusinessId { get; set; }
    public DateOnly Date { get; set; }
    public int Hour { get; set; }
    public int Received { get; set; }
    public int SentByStaff { get; set; }
    public int SentAutomatic { get; set; }
    /// <summary>Reached the customer (read ones included).</summary>
    public int Delivered { get; set; }
    public int Read { get; set; }
    public int Failed { get; set; }
    public int NewContacts { get; set; }
}

/// <summary>Replies one staff member wrote on one local day.</summary>
public class StatsAgentDay
{
    public int BusinessId { get; set; }
    public DateOnly Date { get; set; }
    public required string UserId { get; set; }
    public int Replies { get; set; }
}

/// <summary>WhatsApp messages billed, by pricing category, on the local day they were written.</summary>
public class StatsPricingDay
{
    public int BusinessId { get; set; }
    public DateOnly Date { get; set; }
    public required string Category { get; set; }
    public int Messages { get; set; }
}

/// <summary>
/// One episode of a chat: from the first customer message after the chat was new or resolved until it is resolved.
/// Erasing the contact deletes the chat, which only clears <see cref="ChatId"/>: the times stay for past figures.
/// </summary>
public class EpisodeStat
{
    public long Id { get; set; }
    public int BusinessId { get; set; }
    public int? ChatId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>The chat had been resolved before: the customer came back.</summary>
    public bool Reopened { get; set; }
    public DateTimeOffset? FirstResponseAt { get; set; }
    public string? FirstResponderId { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedById { get; set; }

    // The times the dashboard measures, in whole seconds from StartedAt, written with the instant they end: wall-clock,
    // and counting only opening hours as they were then. The dashboard sums and ranks them without a clock (decision 0020).
    public long? FirstResponseSeconds { get; set; }
    public long? FirstResponseOpenSeconds { get; set; }
    public long? ResolutionSeconds { get; set; }
    public long? ResolutionOpenSeconds { get; set; }
}

internal sealed class StatsHourConfiguration : IEntityTypeConfiguration<StatsHour>
{
    public void Configure(EntityTypeBuilder<StatsHour> b)
    {
        b.ToTable("StatsHour");
        b.HasKey(x => new { x.BusinessId, x.Date, x.Hour });
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
    }
}

internal sealed class StatsAgentDayConfiguration : IEntityTypeConfiguration<StatsAgentDay>
{
    public void Configure(EntityTypeBuilder<StatsAgentDay> b)
    {
        b.ToTable("StatsAgentDay");
        b.HasKey(x => new { x.BusinessId, x.Date, x.UserId });
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
    }
}

internal sealed class StatsPricingDayConfiguration : IEntityTypeConfiguration<StatsPricingDay>
{
    public void Configure(EntityTypeBuilder<StatsPricingDay> b)
    {
        b.ToTable("StatsPricingDay");
        b.HasKey(x => new { x.BusinessId, x.Date, x.Category });
        b.Property(x => x.Category).HasMaxLength(40);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
    }
}

internal sealed class EpisodeStatConfiguration : IEntityTypeConfiguration<EpisodeStat>
{
    public void Configure(EntityTypeBuilder<EpisodeStat> b)
    {
        b.ToTable("EpisodeStat");
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
        b.HasOne<Chat>().WithMany().HasForeignKey(x => x.ChatId).OnDelete(DeleteBehavior.SetNull);
        // Covering the dashboard's reads (decision 0020): the episodes of a period come from the index alone, in order,
        // instead of one table lookup per episode.
        b.HasIndex(x => new { x.BusinessId, x.StartedAt, x.Reopened, x.FirstResponseSeconds, x.FirstResponseOpenSeconds, x.FirstResponderId, x.ChatId })
            .HasDatabaseName("IX_EpisodeStat_BusinessId_StartedAt");
        b.HasIndex(x => new { x.BusinessId, x.ResolvedAt, x.ResolutionSeconds, x.ResolutionOpenSeconds, x.ResolvedById, x.ChatId })
            .HasDatabaseName("IX_EpisodeStat_BusinessId_ResolvedAt");
        b.HasIndex(x => new { x.ChatId, x.ResolvedAt });
    }
}
