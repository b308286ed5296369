using System.Collections;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using PgChatOps.Hosting;
using YamlDotNet.Serialization;

namespace PgChatOps.Tests.Operations;

/// <summary>The Kubernetes manifests and the Dockerfile, checked against the app they deploy.</summary>
public sealed class ManifestTests
{
    private static readonly string Root = RepositoryRoot();
    private static readonly string KubeDir = Path.Combine(Root, "manifests", "kubernetes");

    private static Dictionary<string, Dictionary<object, object>> Manifests() =>
        Directory.GetFiles(KubeDir, "*.yaml").Order(StringComparer.Ordinal).ToDictionary(
            f => Path.GetFileName(f),
            f => (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(f))!);

    private static Dictionary<object, object> Kind(string kind) =>
        Assert.Single(Manifests().Values, m => (string)m["kind"] == kind);

    private static object? At(object node, params object[] path)
    {
        foreach (var step in path)
        {
            node = step switch
            {
                string key when node is Dictionary<object, object> map => map.TryGetValue(key, out var v) ? v : null!,
                int index when node is List<object> list => index < list.Count ? list[index] : null!,
                _ => null!,
            };
            if (node is null)
            {
                return null;
            }
        }
        return node;
    }

    private static Dictionary<object, object> Container() =>
        (Dictionary<object, object>)At(Kind("Deployment"), "spec", "template", "spec", "containers", 0)!;

    [Fact]
    public void Every_manifest_parses_and_names_its_kind()
    {
        var manifests = Manifests();

        Assert.Equal(
            ["configmap.yaml", "deployment.yaml", "networkpolicy.yaml", "pdb.yaml", "secret.example.yaml", "service.yaml"],
            manifests.Keys);
        Assert.All(manifests.Values, m =>
        {
            Assert.NotNull(At(m, "apiVersion"));
            Assert.Equal("pgchatops", At(m, "metadata", "name"));
        });
        Assert.Equal(
            ["ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Service"],
            manifests.Values.Select(m => (string)m["kind"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_deployment_runs_two_replicas_of_serve_on_port_8080_with_probes_on_real_endpoints()
    {
        var deployment = Kind("Deployment");
        var c = Container();
        var endpoints = AppEndpoints();

        Assert.True(int.Parse((string)At(deployment, "spec", "replicas")!, System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Equal("8080", At(c, "ports", 0, "containerPort"));
        Assert.Null(At(c, "command"));
        Assert.Equal(["serve"], ((List<object>)At(c, "args")!).Cast<string>());
        Assert.Equal("/readyz", At(c, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", At(c, "livenessProbe", "httpGet", "path"));
        Assert.Equal("8080", At(c, "readinessProbe", "httpGet", "port"));
        Assert.Equal("8080", At(c, "livenessProbe", "httpGet", "port"));
        Assert.Contains("/readyz", endpoints);
        Assert.Contains("/healthz", endpoints);
        Assert.Contains("/metrics", endpoints);
        Assert.Equal("/metrics", At(deployment, "spec", "template", "metadata", "annotations", "prometheus.io/path"));
        Assert.NotNull(At(c, "resources", "requests", "cpu"));
        Assert.NotNull(At(c, "resources", "requests", "memory"));
        Assert.NotNull(At(c, "resources", "limits", "memory"));
    }

    [Fact]
    public void The_container_runs_locked_down_with_a_writable_tmp_only()
    {
        var c = Container();
        var pod = At(Kind("Deployment"), "spec", "template", "spec")!;

        Assert.Equal("true", At(pod, "securityContext", "runAsNonRoot"));
        Assert.Equal("1654", At(pod, "securityContext", "runAsUser"));
        Assert.Equal("true", At(c, "securityContext", "runAsNonRoot"));
        Assert.Equal("true", At(c, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", At(c, "securityContext", "allowPrivilegeEscalation"));
        Assert.Equal(["ALL"], ((List<object>)At(c, "securityContext", "capabilities", "drop")!).Cast<string>());
        var mounts = ((List<object>)At(c, "volumeMounts")!).Cast<Dictionary<object, object>>().ToList();
        var tmp = Assert.Single(mounts, m => (string)m["mountPath"] == "/tmp");
        var volumes = ((List<object>)At(pod, "volumes")!).Cast<Dictionary<object, object>>().ToList();
        Assert.NotNull(At(Assert.Single(volumes, v => (string)v["name"] == (string)tmp["name"]), "emptyDir"));
    }

    [Fact]
    public void The_configmap_is_mounted_as_the_apps_settings_file_and_the_secret_feeds_the_environment()
    {
        var c = Container();
        var pod = At(Kind("Deployment"), "spec", "template", "spec")!;
        var mounts = ((List<object>)At(c, "volumeMounts")!).Cast<Dictionary<object, object>>().ToList();
        var settings = Assert.Single(mounts, m => (string)m["mountPath"] == "/app/appsettings.json");
        var volumes = ((List<object>)At(pod, "volumes")!).Cast<Dictionary<object, object>>().ToList();
        var volume = Assert.Single(volumes, v => (string)v["name"] == (string)settings["name"]);

        Assert.Equal("appsettings.json", settings["subPath"]);
        Assert.Equal(At(Kind("ConfigMap"), "metadata", "name"), At(volume, "configMap", "name"));
        Assert.NotNull(At(Kind("ConfigMap"), "data", "appsettings.json"));
        Assert.Equal(At(Kind("Secret"), "metadata", "name"), At(c, "envFrom", 0, "secretRef", "name"));
    }

    [Fact]
    public void Every_environment_variable_is_a_real_setting()
    {
        var secretKeys = ((Dictionary<object, object>)At(Kind("Secret"), "stringData")!).Keys.Cast<string>().ToList();
        var envNames = ((List<object>?)At(Container(), "env") ?? []).Select(e => (string)At(e, "name")!).ToList();

        Assert.Contains("PgChatOps__Targets__prod__ConnectionString", secretKeys);
        Assert.Contains("PgChatOps__Slack__SigningSecret", secretKeys);
        Assert.Contains("PgChatOps__Slack__BotToken", secretKeys);
        Assert.Contains("PgChatOps__Discord__PublicKey", secretKeys);
        Assert.Contains("PgChatOps__Discord__BotToken", secretKeys);
        Assert.All(secretKeys.Concat(envNames).Where(n => n != "ASPNETCORE_URLS"), name =>
            Assert.True(IsSetting(name), $"{name} names no setting of PgChatOpsOptions"));
        Assert.All(((Dictionary<object, object>)At(Kind("Secret"), "stringData")!).Values.Cast<string>(), v =>
            Assert.Contains("CHANGE-ME", v, StringComparison.Ordinal));
    }

    [Fact]
    public void The_configmap_settings_with_the_secret_filled_in_pass_validation()
    {
        var json = (string)At(Kind("ConfigMap"), "data", "appsettings.json")!;
        var secret = ((Dictionary<object, object>)At(Kind("Secret"), "stringData")!)
            .ToDictionary(p => ((string)p.Key).Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value);
        secret["PgChatOps:Discord:PublicKey"] = new string('c', 64);
        var config = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)))
            .AddInMemoryCollection(secret)
            .Build();

        Assert.Empty(SettingsValidator.Check(SettingsBinding.Bind(config), config));
    }

    [Fact]
    public void The_service_pdb_and_network_policy_match_the_pods_and_ports()
    {
        var podLabels = (Dictionary<object, object>)At(Kind("Deployment"), "spec", "template", "metadata", "labels")!;
        bool Selects(object? selector) => selector is Dictionary<object, object> s && s.All(p => podLabels.TryGetValue(p.Key, out var v) && Equals(v, p.Value));

        Assert.True(Selects(At(Kind("Service"), "spec", "selector")));
        Assert.Equal("8080", At(Kind("Service"), "spec", "ports", 0, "targetPort"));
        Assert.True(Selects(At(Kind("PodDisruptionBudget"), "spec", "selector", "matchLabels")));
        Assert.Equal("1", At(Kind("PodDisruptionBudget"), "spec", "minAvailable"));

        var policy = Kind("NetworkPolicy");
        Assert.True(Selects(At(policy, "spec", "podSelector", "matchLabels")));
        static IEnumerable<string> Ports(object? rules) => ((List<object>)rules!)
            .SelectMany(r => (List<object>)At(r, "ports")!)
            .Select(p => $"{At(p, "protocol")}/{At(p, "port")}");
        Assert.Equal(["TCP/8080"], Ports(At(policy, "spec", "ingress")));
        Assert.Equal(["TCP/443", "TCP/53", "TCP/5432", "UDP/53"], Ports(At(policy, "spec", "egress")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_dockerfile_builds_in_the_sdk_runs_serve_non_root_on_8080_with_a_health_check()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "Dockerfile")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        int Index(string prefix) => lines.FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal));

        Assert.Equal("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", lines[0]);
        Assert.True(Index("FROM mcr.microsoft.com/dotnet/aspnet:10.0") > 0);
        Assert.True(Index("RUN dotnet restore") < Index("COPY src/ src/"), "restore must come before the sources are copied");
        Assert.Contains(DockerPublishCommand, lines);
        Assert.Contains("COPY --from=build /app ./", lines);
        Assert.Contains("USER app", lines);
        Assert.Contains("EXPOSE 8080", lines);
        Assert.Contains(lines, l => l.StartsWith("ENV ASPNETCORE_URLS=http://+:8080", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal) && l.EndsWith("CMD [\"dotnet\", \"PgChatOps.dll\", \"healthcheck\"]", StringComparison.Ordinal));
        Assert.Equal("ENTRYPOINT [\"dotnet\", \"PgChatOps.dll\"]", lines[^2]);
        Assert.Equal("CMD [\"serve\"]", lines[^1]);
        Assert.True(Index("USER app") < Index("ENTRYPOINT"));
    }

    /// <summary>The publish step, also run by the integration test that starts the published app.</summary>
    public const string DockerPublishCommand = "RUN dotnet publish src/PgChatOps -c Release -o /app --no-restore";

    private static HashSet<string> AppEndpoints()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddPgChatOps();
        builder.AddPgChatOpsWeb();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PgChatOps:Targets:prod:ConnectionString"] = "Host=127.0.0.1;Port=1",
        });
        using var app = builder.Build();
        app.MapPgChatOps();
        return ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether an environment variable name (PgChatOps__A__B) binds to a property path of the options.</summary>
    private static bool IsSetting(string name)
    {
        var parts = name.Split("__");
        if (parts.Length < 2 || !string.Equals(parts[0], PgChatOpsOptions.Section, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var type = typeof(PgChatOpsOptions);
        for (var i = 1; i < parts.Length; i++)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                type = type.GetGenericArguments()[1];
                continue;
            }
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                if (!int.TryParse(parts[i], out _))
                {
                    return false;
                }
                type = type.GetGenericArguments()[0];
                continue;
            }
            var property = type.GetProperty(parts[i], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                return false;
            }
            type = property.PropertyType;
        }
        return type == typeof(string) || type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgChatOps.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("PgChatOps.sln not found");
    }
}
