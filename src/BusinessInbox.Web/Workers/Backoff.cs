namespace BusinessInbox.Workers;

/// <summary>Retry delays shared by the workers that call other systems.</summary>
public static class Backoff
{
    /// <summary>
    /// Exponential backoff with jitter between half and all of the step: <paramref name="first"/> doubled per earlier
    /// attempt, at most <paramref name="max"/>. The jitter keeps many retries from arriving at the same moment.
    /// </summary>
    public static TimeSpan Jittered(TimeSpan first, TimeSpan max, int attempts)
    {
        var step = first.TotalMilliseconds * Math.Pow(2, Math.Min(attempts, 20));
        step = Math.Min(step, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(step / 2 + Random.Shared.NextDouble() * step / 2);
    }
}
