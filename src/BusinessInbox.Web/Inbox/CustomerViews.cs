using BusinessInbox.Data;

namespace BusinessInbox.Inbox;

public static class CustomerViews
{
    public static CustomerMessageView Of(MessageView m) =>
        new(m.Id, m.Direction == MessageDirection.Inbound, m.Author == MessageAuthor.Automatic, m.Body, m.Status, m.CreatedAt, m.Attachment);
}
