using BusinessInbox.Data;

namespace BusinessInbox.Channels;

public sealed record OutgoingMessage(int BusinessId, int ChatId, long MessageId, string Body);

/// <summary>The channel's own id for the message, when it gives one.</summary>
public sealed record SendResult(string? ExternalId);

/// <summary>Delivers an outbound message over one channel. Called by the outbox dispatcher only.</summary>
public interface IChannelSender
{
    ChannelKind Channel { get; }
    Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct);
}

/// <summary>A channel refused a message. <see cref="Transient"/> failures are retried; others fail the message with this reason.</summary>
public sealed class ChannelSendException(string reason, bool transient) : Exception(reason)
{
    public bool Transient { get; } = transient;
}

/// <summary>
/// The channel did not answer in time, so it may have the message after all: it is not sent again blindly but
/// waits up to <see cref="WaitForConfirmation"/> for the channel to confirm it (WhatsApp's status webhooks do).
/// </summary>
public sealed class ChannelSendUnconfirmedException(string reason, TimeSpan waitForConfirmation) : Exception(reason)
{
    public TimeSpan WaitForConfirmation { get; } = waitForConfirmation;
}
