using BusinessInbox.Data;

namespace BusinessInbox.Channels.WebChat;

/// <summary>
/// The built-in web chat has no external service: a message is "sent" once it is committed and
/// visible to the customer's page, which the outbound status step then pushes to it.
/// </summary>
public sealed class WebChatSender : IChannelSender
{
    public ChannelKind Channel => ChannelKind.WebChat;

    public Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct) => Task.FromResult(new SendResult(null));
}
