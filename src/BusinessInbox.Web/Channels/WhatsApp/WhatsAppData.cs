using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BusinessInbox.Channels.WhatsApp;

public enum WhatsAppChannelStatus
{
    Connected = 0,
    /// <summary>Meta refused the access token (error 190): sends stop until the owner enters a new one.</summary>
    TokenFailed = 1,
    /// <summary>A new token replaced a refused one: sends go out again, and the owner's warning stays until a connection test succeeds.</summary>
    TokenUntested = 2,
}

/// <summary>A business's WhatsApp number on the Cloud API. The access token is stored encrypted (Data Protection).</summary>
public class WhatsAppChannel
{
    public int Id { get; set; }
    public int BusinessId { get; set; }
    /// <summary>Meta's id of the phone number; inbound webhooks are routed by it, so it belongs to one business only.</summary>
    public required string PhoneNumberId { get; set; }
    /// <summary>The WhatsApp Business Account id.</summary>
    public required string WabaId { get; set; }
    public required string AccessTokenProtected { get; set; }
    /// <summary>The token's last four characters, to recognise it without showing it.</summary>
    public required string AccessTokenHint { get; set; }
    /// <summary>A shop's own Meta app: its App Secret (encrypted) and verify token, for /webhooks/whatsapp/{slug}.</summary>
    public string? AppSecretProtected { get; set; }
    public string? VerifyToken { get; set; }
    public WhatsAppChannelStatus Status { get; set; }
    public string? StatusReason { get; set; }
    public DateTimeOffset? StatusChangedAt { get; set; }
    /// <summary>Whether opening a chat sends read receipts (blue ticks) to the customer.</summary>
    public bool SendReadReceipts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A correctly signed webhook body that could not be understood, kept as received for the owner to see.</summary>
public class WebhookQuarantine
{
    public long Id { get; set; }
    /// <summary>Null when the body was received at the deployment's shared webhook and could not be routed.</summary>
    public int? BusinessId { get; set; }
    public required string Body { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>A status webhook for a message id we do not know yet (it can overtake our own send call); applied once the send returns.</summary>
public class PendingStatus
{
    public long Id { get; set; }
    public int BusinessId { get; set; }
    public required string ExternalId { get; set; }
    public MessageStatus Status { get; set; }
    public string? FailureReason { get; set; }
    public string? PricingCategory { get; set; }
    public bool? Billable { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

internal sealed class WhatsAppChannelConfiguration : IEntityTypeConfiguration<WhatsAppChannel>
{
    public void Configure(EntityTypeBuilder<WhatsAppChannel> b)
    {
        b.Property(x => x.PhoneNumberId).HasMaxLength(40);
        b.Property(x => x.WabaId).HasMaxLength(40);
        b.Property(x => x.AccessTokenProtected).HasMaxLength(4000);
        b.Property(x => x.AccessTokenHint).HasMaxLength(8);
        b.Property(x => x.AppSecretProtected).HasMaxLength(1000);
        b.Property(x => x.VerifyToken).HasMaxLength(200);
        b.Property(x => x.StatusReason).HasMaxLength(500);
        b.HasOne<Business>().WithOne().HasForeignKey<WhatsAppChannel>(x => x.BusinessId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.BusinessId).IsUnique();
        b.HasIndex(x => x.PhoneNumberId).IsUnique();
    }
}

internal sealed class WebhookQuarantineConfiguration : IEntityTypeConfiguration<WebhookQuarantine>
{
    public void Configure(EntityTypeBuilder<WebhookQuarantine> b)
    {
        b.Property(x => x.Reason).HasMaxLength(500);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.BusinessId, x.Id });
    }
}

internal sealed class PendingStatusConfiguration : IEntityTypeConfiguration<PendingStatus>
{
    public void Configure(EntityTypeBuilder<PendingStatus> b)
    {
        b.Property(x => x.ExternalId).HasMaxLength(200);
        b.Property(x => x.FailureReason).HasMaxLength(500);
        b.Property(x => x.PricingCategory).HasMaxLength(40);
        b.HasIndex(x => x.ExternalId);
        b.HasIndex(x => x.ReceivedAt);
    }
}
