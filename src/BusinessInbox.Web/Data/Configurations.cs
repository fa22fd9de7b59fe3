using System.Text.Json;
using System.Text.Json.Serialization;
using BusinessInbox.AutoReplies;
using BusinessInbox.Hours;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BusinessInbox.Data;

internal sealed class BusinessConfiguration : IEntityTypeConfiguration<Business>
{
    public void Configure(EntityTypeBuilder<Business> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Slug).HasMaxLength(40);
        b.Property(x => x.TimeZone).HasMaxLength(64);
        b.HasIndex(x => x.Slug).IsUnique();
        b.Property(x => x.Category).HasConversion<string>().HasMaxLength(40);
        b.Property(x => x.Description).HasMaxLength(512);
        b.Property(x => x.Address).HasMaxLength(256);
        b.Property(x => x.Email).HasMaxLength(254);
        b.Property(x => x.Website1).HasMaxLength(256);
        b.Property(x => x.Website2).HasMaxLength(256);
        b.Property(x => x.ProfileVersion).IsConcurrencyToken();
        b.Property(x => x.Hours).HasConversion(new JsonConverter<HoursSchedule>(), JsonConverter<HoursSchedule>.Comparer);
        b.Property(x => x.AutoReplies).HasConversion(new JsonConverter<AutoReplySettings>(), JsonConverter<AutoReplySettings>.Comparer);
    }
}

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> b) => b.Property(x => x.DisplayName).HasMaxLength(100);
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> b)
    {
        b.HasKey(x => new { x.BusinessId, x.UserId });
        b.HasIndex(x => x.UserId);
        b.HasOne(x => x.Business).WithMany().HasForeignKey(x => x.BusinessId);
        b.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId);
    }
}

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Phone).HasMaxLength(20);
        b.Property(x => x.Email).HasMaxLength(254);
        b.Property(x => x.Notes).HasMaxLength(4000);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
        b.HasIndex(x => new { x.BusinessId, x.Phone });
        b.HasIndex(x => new { x.BusinessId, x.Email });
        // The directory's sort orders, keyset over (key, Id).
        b.HasIndex(x => new { x.BusinessId, x.Name, x.Id });
        b.HasIndex(x => new { x.BusinessId, x.LastMessageAt, x.Id });
        b.HasIndex(x => new { x.BusinessId, x.CreatedAt, x.Id });
        b.HasMany(x => x.Identities).WithOne(x => x.Contact).HasForeignKey(x => x.ContactId);
    }
}

internal sealed class ContactIdentityConfiguration : IEntityTypeConfiguration<ContactIdentity>
{
    public void Configure(EntityTypeBuilder<ContactIdentity> b)
    {
        b.Property(x => x.ExternalId).HasMaxLength(100);
        b.HasIndex(x => new { x.BusinessId, x.Channel, x.ExternalId }).IsUnique();
    }
}

internal sealed class ChatConfiguration : IEntityTypeConfiguration<Chat>
{
    public void Configure(EntityTypeBuilder<Chat> b)
    {
        b.Property(x => x.LastMessagePreview).HasMaxLength(120);
        b.HasOne(x => x.Contact).WithMany().HasForeignKey(x => x.ContactId);
        b.HasOne(x => x.Assignee).WithMany().HasForeignKey(x => x.AssigneeId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
        b.HasIndex(x => new { x.ContactId, x.Channel }).IsUnique();
        // The inbox list: newest first, keyset over (LastMessageAt, Id).
        b.HasIndex(x => new { x.BusinessId, x.LastMessageAt, x.Id });
        b.HasIndex(x => new { x.BusinessId, x.Status, x.LastMessageAt, x.Id });
        b.HasIndex(x => new { x.BusinessId, x.AssigneeId, x.LastMessageAt, x.Id });
    }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> b)
    {
        b.Property(x => x.Body).HasMaxLength(16384);
        b.Property(x => x.ExternalId).HasMaxLength(200);
        b.Property(x => x.FailureReason).HasMaxLength(500);
        b.Property(x => x.PricingCategory).HasMaxLength(40);
        b.Property(x => x.Reaction).HasMaxLength(32);
        b.Property(x => x.SentFromPhone).HasMaxLength(40);
        b.HasOne(x => x.Chat).WithMany().HasForeignKey(x => x.ChatId);
        b.HasOne(x => x.AuthorUser).WithMany().HasForeignKey(x => x.AuthorUserId).OnDelete(DeleteBehavior.SetNull);
        // Duplicate deliveries are refused by the database, not by a check-then-insert.
        b.HasIndex(x => new { x.Channel, x.ExternalId }).IsUnique();
        b.HasIndex(x => new { x.ChatId, x.Id });
        b.HasIndex(x => new { x.BusinessId, x.Id });
    }
}

internal sealed class ChatEventConfiguration : IEntityTypeConfiguration<ChatEvent>
{
    public void Configure(EntityTypeBuilder<ChatEvent> b)
    {
        b.Property(x => x.From).HasMaxLength(100);
        b.Property(x => x.To).HasMaxLength(100);
        b.HasOne<Chat>().WithMany().HasForeignKey(x => x.ChatId);
        b.HasIndex(x => new { x.ChatId, x.Id });
        b.HasIndex(x => new { x.BusinessId, x.At });
    }
}

internal sealed class OutboxItemConfiguration : IEntityTypeConfiguration<OutboxItem>
{
    public void Configure(EntityTypeBuilder<OutboxItem> b)
    {
        b.ToTable("Outbox");
        b.Property(x => x.LastError).HasMaxLength(500);
        b.Property(x => x.UploadedMediaId).HasMaxLength(128);
        b.HasOne(x => x.Message).WithMany().HasForeignKey(x => x.MessageId);
        b.HasIndex(x => x.MessageId).IsUnique();
        b.HasIndex(x => x.NextAttemptAt);
    }
}

internal sealed class InboxCounterConfiguration : IEntityTypeConfiguration<InboxCounter>
{
    public void Configure(EntityTypeBuilder<InboxCounter> b)
    {
        b.HasKey(x => new { x.BusinessId, x.Key });
        b.Property(x => x.Key).HasMaxLength(80);
    }
}

internal sealed class BusinessLogoConfiguration : IEntityTypeConfiguration<BusinessLogo>
{
    public void Configure(EntityTypeBuilder<BusinessLogo> b)
    {
        b.HasKey(x => x.BusinessId);
        b.HasOne<Business>().WithOne().HasForeignKey<BusinessLogo>(x => x.BusinessId).OnDelete(DeleteBehavior.Cascade);
    }
}


/// <summary>Settings that are read and written whole (hours, auto-replies) are kept as one JSON column.</summary>
internal sealed class JsonConverter<T>() : ValueConverter<T, string>(
    v => JsonSerializer.Serialize(v, Options),
    s => Read(s))
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The value stored in a column, for code that reads the column without EF Core.</summary>
    public static T Read(string json) => JsonSerializer.Deserialize<T>(json, Options)!;

    public static readonly ValueComparer<T> Comparer = new(
        (a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
        v => JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal),
        v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, Options), Options)!);
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.TokenHash).HasMaxLength(64);
        b.Property(x => x.Prefix).HasMaxLength(16);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
        b.HasIndex(x => x.TokenHash).IsUnique();
    }
}

internal sealed class LabelConfiguration : IEntityTypeConfiguration<Label>
{
    public void Configure(EntityTypeBuilder<Label> b)
    {
        b.Property(x => x.Name).HasMaxLength(40);
        b.Property(x => x.NormalizedName).HasMaxLength(40);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
        // Two labels may not differ only in letter case: the database refuses it, whoever writes.
        b.HasIndex(x => new { x.BusinessId, x.NormalizedName }).IsUnique();
    }
}

internal sealed class ChatLabelConfiguration : IEntityTypeConfiguration<ChatLabel>
{
    public void Configure(EntityTypeBuilder<ChatLabel> b)
    {
        b.HasKey(x => new { x.ChatId, x.LabelId });
        b.HasOne<Chat>().WithMany(x => x.Labels).HasForeignKey(x => x.ChatId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.Label).WithMany().HasForeignKey(x => x.LabelId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.LabelId);
    }
}

internal sealed class QuickReplyConfiguration : IEntityTypeConfiguration<QuickReply>
{
    public void Configure(EntityTypeBuilder<QuickReply> b)
    {
        b.Property(x => x.Shortcut).HasMaxLength(25);
        b.Property(x => x.Text).HasMaxLength(16384);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
        b.HasIndex(x => new { x.BusinessId, x.Shortcut }).IsUnique();
    }
}

internal sealed class ContactImportConfiguration : IEntityTypeConfiguration<ContactImport>
{
    public void Configure(EntityTypeBuilder<ContactImport> b)
    {
        b.Property(x => x.FileName).HasMaxLength(200);
        b.Property(x => x.Mapping).HasMaxLength(200);
        b.Property(x => x.Error).HasMaxLength(500);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId);
        b.HasIndex(x => new { x.Status, x.Id });
    }
}
