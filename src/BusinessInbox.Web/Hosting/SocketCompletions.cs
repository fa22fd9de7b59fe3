namespace BusinessInbox.Hosting;

/// <summary>
/// A socket's completions run on the runtime's socket event threads, not through a hop to the thread pool
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>). Kestrel still hands every request and hub message to the thread
/// pool, so only its copying of bytes runs there. Code of ours that awaits a socket itself (the Graph API, media downloads,
/// mail) would go on on an event thread, where a database query or an image decode holds up every connection that thread
/// serves: it awaits through <see cref="ResumeOnThreadPool{T}(Task{T})"/>. See docs/decisions/0032-socket-completions-inline.md.
/// </summary>
public static class SocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns inline completions on unless the environment says otherwise (<c>0</c> turns them off). The runtime reads the
    /// setting when the process opens its first socket, so this runs first.
    /// </summary>
    public static void RunInline()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }

    /// <summary>Awaits socket work, then goes on on the thread pool, whether it succeeded or failed.</summary>
    public static async Task<T> ResumeOnThreadPool<T>(this Task<T> io)
    {
        try
        {
            return await io;
        }
        finally
        {
            await Task.Yield();
        }
    }

    /// <inheritdoc cref="ResumeOnThreadPool{T}(Task{T})"/>
    public static async Task ResumeOnThreadPool(this Task io)
    {
        try
        {
            await io;
        }
        finally
        {
            await Task.Yield();
        }
    }
}
