using BusinessInbox.Data;

namespace BusinessInbox.Inbox;

/// <summary>What the staff hub pushes to the browsers of a business's members.</summary>
public interface IInboxClient
{
    /// <summary>
    /// New messages, in the order they were stored: the messages one commit stored for the business go in one push (a busy
    /// business's customers and automatic replies of a few milliseconds), a member's own send in a push of its own.
    /// </summary>
    Task MessagesAdded(IReadOnlyList<AddedMessage> added);
    Task MessagesStatus(int chatId, long[] messageIds, MessageStatus status, string? reason);
    /// <summary>A message already shown changed: its file arrived from the channel, or could not be fetched (with the reason).</summary>
    Task MessageChanged(MessageView message);
    Task ChatChanged(ChatSummary chat, ChatEventView? change);
    /// <summary>A reaction was put on a message, or removed (null).</summary>
    Task ReactionChanged(int chatId, long messageId, string? reaction);
    Task Counters(IReadOnlyDictionary<string, int> counters);
    /// <summary>A label was created, renamed, recoloured or deleted: the business's labels as they are now.</summary>
    Task LabelsChanged(IReadOnlyList<Labels.LabelView> labels);
    /// <summary>The chat no longer exists: its contact was erased, or merged into another contact's chat.</summary>
    Task ChatRemoved(int chatId);
    /// <summary>The member lost access to this business: the page stops and goes to sign-in.</summary>
    Task AccessRevoked();
}

/// <summary>What the customer hub pushes to a customer's chat page.</summary>
public interface ICustomerClient
{
    Task Message(CustomerMessageView message);
    Task MessagesStatus(long[] messageIds, MessageStatus status);
}
