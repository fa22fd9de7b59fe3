namespace BusinessInbox.Inbox;

public enum InboxError
{
    /// <summary>Does not exist in this business (another business's ids look the same: never "forbidden").</summary>
    NotFound,
    /// <summary>The request cannot be carried out as asked; the message says why.</summary>
    Invalid,
}

/// <summary>A refusal a person can read; hubs turn it into a HubException, the API into problem details.</summary>
public sealed class InboxException(InboxError error, string message) : Exception(message)
{
    public InboxError Error { get; } = error;

    public static InboxException NotFound(string what) => new(InboxError.NotFound, what + " was not found.");
    public static InboxException Invalid(string message) => new(InboxError.Invalid, message);
}

/// <summary>
/// The writers' queue is full: the caller is refused at once rather than queued without end, so memory stays bounded under
/// overload. The WhatsApp webhook answers 503, and Meta delivers again later.
/// </summary>
public sealed class InboxBusyException() : Exception("The inbox is busy; try again shortly.");
