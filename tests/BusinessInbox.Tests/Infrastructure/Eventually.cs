namespace BusinessInbox.Tests.Infrastructure;

/// <summary>Waits for a condition instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string because, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException("Timed out waiting: " + because);
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Awaits a task with a generous timeout, failing with a readable message.</summary>
    public static async Task<T> Within<T>(this Task<T> task, string because, TimeSpan? timeout = null)
    {
        var winner = await Task.WhenAny(task, Task.Delay(timeout ?? TimeSpan.FromSeconds(10)));
        if (winner != task)
        {
            throw new TimeoutException("Timed out waiting: " + because);
        }
        return await task;
    }
}
