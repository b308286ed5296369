using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using PgChatOps.Commands;

namespace PgChatOps.Tests.Architecture;

/// <summary>
/// The core (src/PgChatOps.Core) points one way: no ASP.NET Core and no platform adapter. The compiler holds most of
/// this because the core cannot see the host; these tests hold what it cannot: a framework reference or a package
/// added to the core's project file, or a platform namespace declared inside the core.
/// </summary>
public sealed partial class CoreDependencyTests
{
    private static readonly Assembly Core = typeof(CommandPipeline).Assembly;
    private static readonly Assembly Host = typeof(Program).Assembly;
    private static readonly string[] PlatformNamespaces = ["PgChatOps.Slack", "PgChatOps.Discord", "PgChatOps.Local"];

    [Fact]
    public void The_core_and_the_host_are_two_assemblies_and_the_host_holds_Program()
    {
        Assert.Equal("PgChatOps.Core", Core.GetName().Name);
        Assert.Equal("PgChatOps", Host.GetName().Name);
        Assert.DoesNotContain(Core.GetTypes(), t => t.Name == nameof(Program));
        Assert.Contains(Host.GetReferencedAssemblies(), a => a.Name == "PgChatOps.Core");
    }

    [Fact]
    public void The_core_references_no_ASP_NET_Core_assembly_and_not_the_host()
    {
        var offences = Core.GetReferencedAssemblies()
            .Select(a => a.Name ?? "")
            .Where(a => IsAspNetCore(a) || a == Host.GetName().Name)
            .ToList();

        Assert.True(offences.Count == 0, $"PgChatOps.Core references: {string.Join(", ", offences)}");
    }

    [Fact]
    public void No_type_of_the_core_lives_in_or_uses_a_platform_or_ASP_NET_Core_type_in_its_signatures()
    {
        var offences = new List<string>();
        foreach (var type in Core.GetTypes())
        {
            if (InPlatformNamespace(type))
            {
                offences.Add($"{type.FullName} is declared in a platform namespace");
            }
            foreach (var (member, used) in SignatureTypes(type))
            {
                if (Forbidden(used))
                {
                    offences.Add($"{type.FullName}.{member} uses {used.FullName}");
                }
            }
        }
        Assert.True(offences.Count == 0, string.Join(Environment.NewLine, offences.Distinct(StringComparer.Ordinal)));
    }

    [Fact]
    public void The_core_project_is_a_plain_library_without_the_web_sdk_or_a_project_reference()
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot(), "src", "PgChatOps.Core", "PgChatOps.Core.csproj"));
        var offences = project.Descendants()
            .Where(e => e.Name.LocalName is "FrameworkReference" or "ProjectReference"
                || (e.Name.LocalName == "PackageReference" && IsAspNetCore((string?)e.Attribute("Include") ?? "")))
            .Select(e => $"{e.Name.LocalName} {(string?)e.Attribute("Include")}")
            .ToList();

        Assert.Equal("Microsoft.NET.Sdk", (string?)project.Root!.Attribute("Sdk"));
        Assert.True(offences.Count == 0, $"PgChatOps.Core.csproj has: {string.Join(", ", offences)}");
    }

    [Fact]
    public void No_source_file_of_the_core_names_a_platform_namespace_or_ASP_NET_Core()
    {
        var core = Path.Combine(RepositoryRoot(), "src", "PgChatOps.Core");
        var offences = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(l => ForbiddenName().IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(core, l.f)}:{l.i + 1}: {l.line.Trim()}")
            .ToList();

        Assert.True(offences.Count == 0, string.Join(Environment.NewLine, offences));
    }

    private static bool IsAspNetCore(string assemblyOrPackage) =>
        assemblyOrPackage.Split('.').Contains("AspNetCore", StringComparer.OrdinalIgnoreCase);

    private static bool InPlatformNamespace(Type type) =>
        type.Namespace is { } ns && PlatformNamespaces.Any(p => ns == p || ns.StartsWith(p + ".", StringComparison.Ordinal));

    private static bool Forbidden(Type type) =>
        InPlatformNamespace(type) || IsAspNetCore(type.Assembly.GetName().Name ?? "") || type.Assembly == Host;

    /// <summary>Every type a type's declaration names: base, interfaces, fields, properties, events, method and constructor signatures, with generic arguments and element types unwrapped.</summary>
    private static IEnumerable<(string Member, Type Used)> SignatureTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var named = new List<(string, Type)>();
        if (type.BaseType is { } b)
        {
            named.Add(("(base)", b));
        }
        named.AddRange(type.GetInterfaces().Select(i => ("(interface)", i)));
        named.AddRange(type.GetFields(all).Select(f => (f.Name, f.FieldType)));
        named.AddRange(type.GetProperties(all).Select(p => (p.Name, p.PropertyType)));
        named.AddRange(type.GetEvents(all).Where(e => e.EventHandlerType is not null).Select(e => (e.Name, e.EventHandlerType!)));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo m)
            {
                named.Add((m.Name, m.ReturnType));
            }
            named.AddRange(method.GetParameters().Select(p => (method.Name, p.ParameterType)));
        }
        return named.SelectMany(n => Unwrap(n.Item2).Select(t => (n.Item1, t)));
    }

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            return Unwrap(type.GetElementType()!);
        }
        if (type.IsGenericParameter)
        {
            return [];
        }
        return type.IsGenericType ? [type, .. type.GetGenericArguments().SelectMany(Unwrap)] : [type];
    }

    [GeneratedRegex(@"\bPgChatOps\.(Slack|Discord|Local)\b|\bMicrosoft\.AspNetCore\b")]
    private static partial Regex ForbiddenName();

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
