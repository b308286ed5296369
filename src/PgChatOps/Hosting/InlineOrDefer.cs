namespace PgChatOps.Hosting;

/// <summary>
/// The platforms' shared answer rule: start the work detached from the request, answer inline when it is done within
/// the inline window (Slack and Discord allow 3 seconds including the network), otherwise acknowledge now and
/// deliver later (response_url, interaction webhook) from <see cref="DetachedWork"/>.
/// </summary>
public sealed class InlineOrDefer(DetachedWork background)
{
    /// <summary>
    /// Starts <paramref name="work"/> and waits for it up to <paramref name="window"/> (less if the request is
    /// aborted). The result says whether it finished in time, in whatever state.
    /// </summary>
    public async Task<Answer<T>> StartAsync<T>(Func<CancellationToken, Task<T>> work, TimeSpan window, CancellationToken requestAborted)
    {
        var running = background.Start(work);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        var finished = await Task.WhenAny(running, Task.Delay(window, wait.Token)) == running;
        await wait.CancelAsync();
        return new Answer<T>(running, finished, background);
    }

    /// <summary>Work that was given its inline window.</summary>
    /// <param name="IsReady">It finished (successfully or not) within the window: answer inline from <see cref="Work"/>.</param>
    public sealed record Answer<T>(Task<T> Work, bool IsReady, DetachedWork Background)
    {
        /// <summary>After the acknowledgement: when the work is done, <paramref name="deliver"/> its result (logged if it fails).</summary>
        public void Defer(string what, Func<T, CancellationToken, Task> deliver) =>
            Background.Run(what, async ct => await deliver(await Work.WaitAsync(ct), ct));
    }
}
