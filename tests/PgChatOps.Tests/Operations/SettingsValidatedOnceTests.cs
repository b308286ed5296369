using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PgChatOps.Hosting;

namespace PgChatOps.Tests.Operations;

public sealed class SettingsValidatedOnceTests
{
    private sealed class CountingValidator : IValidateOptions<PgChatOpsOptions>
    {
        public int Calls;

        public ValidateOptionsResult Validate(string? name, PgChatOpsOptions options)
        {
            Interlocked.Increment(ref Calls);
            return ValidateOptionsResult.Success;
        }
    }

    private static (IHost Host, CountingValidator Counter) Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder([]);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPgChatOps();
        var counter = new CountingValidator();
        builder.Services.AddSingleton<IValidateOptions<PgChatOpsOptions>>(counter);
        return (builder.Build(), counter);
    }

    [Fact]
    public void The_preflight_the_start_up_check_and_every_service_share_one_validated_instance()
    {
        var (host, counter) = Build(new() { ["PgChatOps:Targets:prod:ConnectionString"] = "Host=db.internal" });
        using var _ = host;

        SettingsPreflight.ThrowIfInvalid(host.Services);
        SettingsPreflight.ThrowIfInvalid(host.Services.GetRequiredService<IConfiguration>());
        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var options = host.Services.GetRequiredService<IOptions<PgChatOpsOptions>>().Value;

        Assert.Equal(1, counter.Calls);
        Assert.Same(options, host.Services.GetRequiredService<IOptionsMonitor<PgChatOpsOptions>>().CurrentValue);
        Assert.Same(options.Slack, host.Services.GetRequiredService<IOptions<SlackOptions>>().Value);
        Assert.Same(options.Access, host.Services.GetRequiredService<IOptions<AccessOptions>>().Value);
    }

    [Fact]
    public void The_preflight_reports_every_failure_in_one_exception()
    {
        var (host, _) = Build(new()
        {
            ["PgChatOps:Targets:prod:ConnectionString"] = "Host=db.internal",
            ["PgChatOps:DefaultTarget"] = "prd",
            ["PgChatOps:Slack:BotToken"] = "xoxb-test",
        });
        using var _ = host;

        var ex = Assert.Throws<OptionsValidationException>(() => SettingsPreflight.ThrowIfInvalid(host.Services));

        Assert.Equal(
            [
                "PgChatOps:DefaultTarget 'prd' is not a configured target (configured: prod)",
                "PgChatOps:Slack:SigningSecret is empty, but Slack is enabled (a Slack bot token, app token or audit channel is set): requests could not be verified",
            ],
            ex.Failures);
    }
}
