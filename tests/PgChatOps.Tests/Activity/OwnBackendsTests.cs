using PgChatOps.Activity;

namespace PgChatOps.Tests.Activity;

public sealed class OwnBackendsTests
{
    [Fact]
    public void Item2_pids_the_bot_holds_on_one_server_never_vouch_for_a_backend_on_another()
    {
        // Pids are small and dense in containers: a stranger on server B who copies the bot's name could land on a pid
        // the bot holds on server A. Only pids held on the same server count.
        var a = OwnBackends.NewSet(OwnBackends.ServerOf("Host=db-a.internal;Port=5432"));
        var b = OwnBackends.NewSet(OwnBackends.ServerOf("Host=db-b.internal;Port=5432"));
        var stateOnA = OwnBackends.NewSet(OwnBackends.ServerOf("Host=DB-A.internal;Port=5432;Database=pgchatops"));
        try
        {
            a.Add(4242);
            stateOnA.Add(4343);
            b.Add(5151);

            Assert.Equal([4242, 4343], OwnBackends.PidsOn(OwnBackends.ServerOf("Host=db-a.internal;Port=5432")).Order());
            Assert.Equal([5151], OwnBackends.PidsOn(OwnBackends.ServerOf("Host=db-b.internal")));
            Assert.Empty(OwnBackends.PidsOn(OwnBackends.ServerOf("Host=db-a.internal;Port=5433")));
        }
        finally
        {
            OwnBackends.Forget(a);
            OwnBackends.Forget(b);
            OwnBackends.Forget(stateOnA);
        }
    }
}
