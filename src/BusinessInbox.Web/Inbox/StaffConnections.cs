using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace BusinessInbox.Inbox;

/// <summary>
/// The staff hub connections of this process by member, so that a member who is removed from a
/// business stops receiving its events at once, not when their connection happens to drop.
/// </summary>
public sealed class StaffConnections
{
    private readonly ConcurrentDictionary<string, (string UserId, int BusinessId, HubCallerContext Context)> _byConnection = new();

    public void Add(string userId, int businessId, HubCallerContext context) => _byConnection[context.ConnectionId] = (userId, businessId, context);

    public void Remove(HubCallerContext context) => _byConnection.TryRemove(context.ConnectionId, out _);

    /// <summary>The member's open connections to the business, to tell them before they are closed.</summary>
    public IReadOnlyList<string> ConnectionIdsOf(string userId, int businessId) =>
        _byConnection.Where(c => c.Value.UserId == userId && c.Value.BusinessId == businessId).Select(c => c.Key).ToList();

    /// <summary>Closes every connection the member has open to the business; returns their ids.</summary>
    public IReadOnlyList<string> Disconnect(string userId, int businessId)
    {
        var closed = new List<string>();
        foreach (var (id, entry) in _byConnection)
        {
            if (entry.UserId == userId && entry.BusinessId == businessId && _byConnection.TryRemove(id, out _))
            {
                entry.Context.Abort();
                closed.Add(id);
            }
        }
        return closed;
    }
}
