namespace BusinessInbox.Inbox;

/// <summary>
/// Paces the pushes of each business's inbox counts. A busy business's counts move with nearly every new chat: its screens
/// are sent the newest counts at most once every <see cref="Interval"/>, the first change at once and the changes that
/// follow within the interval together at its end. A change a member made themselves goes out at once, carrying whatever
/// was waiting. Counts leave in the order they were read, so older counts never overwrite newer ones on a screen.
/// See docs/decisions/0033-inbox-counts-paced.md.
/// </summary>
/// <param name="send">Sends a business's counts: the tabs all members share, and "mine" to the members named.</param>
public sealed class CounterPushes(Func<int, IReadOnlyDictionary<string, int>, IReadOnlyCollection<string>, Task> send) : IDisposable
{
    /// <summary>A badge that follows the list a fifth of a second late goes unnoticed; twenty new chats a second are one push, not twenty.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    // Pushes are paced in real time, for people's screens, whatever clock the inbox's rules run on (a fake one in tests).
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, Waiting> _businesses = [];
    private readonly SemaphoreSlim _sending = new(1, 1);

    /// <summary>Counts a stored change made; <paramref name="mineChangedFor"/> the members whose own count moved.</summary>
    public Task ChangedAsync(int businessId, IReadOnlyDictionary<string, int> counts, IEnumerable<string> mineChangedFor) =>
        OfferAsync(businessId, counts, mineChangedFor, atOnce: false);

    /// <summary>Counts a member's own action changed: sent at once, to <paramref name="members"/>.</summary>
    public Task NowAsync(int businessId, IReadOnlyDictionary<string, int> counts, IEnumerable<string> members) =>
        OfferAsync(businessId, counts, members, atOnce: true);

    private Task OfferAsync(int businessId, IReadOnlyDictionary<string, int> counts, IEnumerable<string> members, bool atOnce)
    {
        lock (_lock)
        {
            if (!_businesses.TryGetValue(businessId, out var waiting))
            {
                _businesses[businessId] = waiting = new Waiting();
            }
            waiting.Counts = counts;
            waiting.Members.UnionWith(members);
            var wait = atOnce ? TimeSpan.Zero : Interval - _time.GetElapsedTime(waiting.LastSent);
            if (wait > TimeSpan.Zero)
            {
                waiting.Timer ??= _time.CreateTimer(_ => _ = SendAsync(businessId), null, wait, Timeout.InfiniteTimeSpan);
                return Task.CompletedTask;
            }
        }
        return SendAsync(businessId);
    }

    private async Task SendAsync(int businessId)
    {
        await _sending.WaitAsync();
        try
        {
            IReadOnlyDictionary<string, int> counts;
            string[] members;
            lock (_lock)
            {
                var waiting = _businesses[businessId];
                if (waiting.Counts is null)
                {
                    return; // An earlier call sent them.
                }
                (counts, members) = (waiting.Counts, [.. waiting.Members]);
                waiting.Counts = null;
                waiting.Members.Clear();
                waiting.LastSent = _time.GetTimestamp();
                waiting.Timer?.Dispose();
                waiting.Timer = null;
            }
            await send(businessId, counts, members);
        }
        finally
        {
            _sending.Release();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var waiting in _businesses.Values)
            {
                waiting.Timer?.Dispose();
            }
        }
    }

    private sealed class Waiting
    {
        /// <summary>The newest counts not yet sent, or null.</summary>
        public IReadOnlyDictionary<string, int>? Counts { get; set; }

        public HashSet<string> Members { get; } = new(StringComparer.Ordinal);

        /// <summary>When the last push left (0: never, long enough ago).</summary>
        public long LastSent { get; set; }

        public ITimer? Timer { get; set; }
    }
}
