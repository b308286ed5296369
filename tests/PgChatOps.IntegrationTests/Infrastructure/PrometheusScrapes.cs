namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that read a host's <c>/metrics</c> run alone, after the parallel ones: every test host creates a meter named
/// "PgChatOps", and OpenTelemetry .NET stops exporting an instrument in every provider when any same-named meter is
/// disposed (open-telemetry/opentelemetry-dotnet#6412), so another test's host shutting down mid-scrape would hide
/// metrics this test expects. One host per process in production never meets it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PrometheusScrapes
{
    public const string Name = "Prometheus scrapes";
}
