using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace BusinessInbox.Data;

public class InboxDb(DbContextOptions<InboxDb> options) : IdentityDbContext<AppUser>(options)
{
    public DbSet<Business> Businesses => Set<Business>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<ContactIdentity> ContactIdentities => Set<ContactIdentity>();
    public DbSet<Chat> Chats => Set<Chat>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<ChatEvent> ChatEvents => Set<ChatEvent>();
    public DbSet<OutboxItem> Outbox => Set<OutboxItem>();
    public DbSet<InboxCounter> InboxCounters => Set<InboxCounter>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<BusinessLogo> BusinessLogos => Set<BusinessLogo>();
    public DbSet<Label> Labels => Set<Label>();
    public DbSet<ChatLabel> ChatLabels => Set<ChatLabel>();
    public DbSet<QuickReply> QuickReplies => Set<QuickReply>();
    public DbSet<QuickReplies.QuickReplyAttachment> QuickReplyAttachments => Set<QuickReplies.QuickReplyAttachment>();
    public DbSet<ContactImport> ContactImports => Set<ContactImport>();
    public DbSet<Channels.WhatsApp.WhatsAppChannel> WhatsAppChannels => Set<Channels.WhatsApp.WhatsAppChannel>();
    public DbSet<Channels.WhatsApp.WebhookQuarantine> WebhookQuarantine => Set<Channels.WhatsApp.WebhookQuarantine>();
    public DbSet<Channels.WhatsApp.PendingStatus> PendingStatuses => Set<Channels.WhatsApp.PendingStatus>();
    public DbSet<Attachments.Attachment> Attachments => Set<Attachments.Attachment>();
    public DbSet<Channels.WhatsApp.WhatsAppTemplate> WhatsAppTemplates => Set<Channels.WhatsApp.WhatsAppTemplate>();
    public DbSet<Channels.WhatsApp.WhatsAppTemplateSend> WhatsAppTemplateSends => Set<Channels.WhatsApp.WhatsAppTemplateSend>();
    public DbSet<Channels.WhatsApp.WhatsAppMediaFetch> WhatsAppMediaFetches => Set<Channels.WhatsApp.WhatsAppMediaFetch>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(InboxDb).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Instants are stored as UTC ticks: they sort and compare in SQL on every provider,
        // which keyset pagination and range queries need.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
