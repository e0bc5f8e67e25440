using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.RegularExpressions;
using SocialHandoff.Core;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Infra.Tests;

/// <summary>
/// What the code reads and uses, taken from the code itself (SocialHandoff.Core by reflection, the
/// Functions app's binding expressions from its sources), never from a copied list.
/// </summary>
/// <remarks>
/// <para><b>Options sections.</b> Every public type in SocialHandoff.Core whose name ends in "Options" and that
/// declares <c>public const string SectionName</c>. App-setting names map ':' to '__'
/// (<c>Sources:X:BearerToken</c> -> <c>Sources__X__BearerToken</c>).</para>
/// <para><b>Required settings.</b> Walking the public settable properties of each options type (nested option
/// objects included, collections not: their items have no fixed names), a scalar property is required when it
/// carries <see cref="RequiredAttribute"/> or has no default: its value on the instance the code starts from
/// (the type's static <c>CreateDefault()</c> if it has one, else <c>new()</c>) is null or an empty string.
/// Value types always have a default and are optional. <see cref="OptionalByDesign"/> lists the few
/// exceptions, each with its reason.</para>
/// <para><b>Sections present.</b> Every options section appears with at least one app setting, except those in
/// <see cref="DefaultsOnlySections"/> (defaults on purpose, each with its reason).</para>
/// <para><b>Binding expressions.</b> <c>%Name%</c> in the Functions app's trigger attributes (e.g. the timer
/// schedule <c>%Ingest:Schedule%</c>): the host cannot index the function without that setting.</para>
/// </remarks>
public static partial class CodeSettings
{
    /// <summary>Settings with no default that the Azure deployment deliberately leaves unset.</summary>
    public static readonly IReadOnlyDictionary<string, string> OptionalByDesign = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Storage:ConnectionString"] = "Azure uses the managed identity with Storage:QueueServiceUri/TableServiceUri; setting both fails validation.",
        ["Storage:ManagedIdentityClientId"] = "The function app uses its system-assigned identity, which needs no client id.",
        ["Api:DevIdentities"] = "Local development only: App Service Authentication signs users in on Azure, and start-up refuses the setting there.",
        ["Sources:Bluesky:Host"] = "Written only when blueskySearches are given; its default is the public AppView (https://api.bsky.app/).",
        ["Sources:Bluesky:Identifier"] = "Only for an app-password session (blueskyIdentifier); the public AppView needs none.",
        ["Sources:Bluesky:AppPassword"] = "A Key Vault reference written only with blueskyIdentifier.",
        ["Sources:Reddit:ClientId"] = "Empty keeps the Reddit source off; written when redditClientId is given.",
        ["Sources:Reddit:ClientSecret"] = "A Key Vault reference written only with redditClientId.",
        ["Sources:Reddit:UserAgent"] = "Written with redditClientId; start-up refuses a client id without it.",
        ["Sources:Reddit:TokenUrl"] = "Reddit's token endpoint is the default (https://www.reddit.com/api/v1/access_token); only tests move it.",
        ["Sources:Reddit:BaseUrl"] = "Reddit's OAuth host is the default (https://oauth.reddit.com/); only tests move it.",
    };

    /// <summary>Options sections whose defaults are what Azure runs with.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultsOnlySections = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Scoring:Urgency"] = "The fitted weights ship embedded (urgency-defaults.json); overriding them per environment would fork the evaluated model.",
        ["Api"] = "Its one Azure-relevant value, AtRiskWithin, keeps its default (30 minutes, when a policy gives no warning time); DevIdentities must stay unset there.",
        ["Sources:Files"] = "File exports are for backfills and the local runner; a Flex Consumption app has no export files to read.",
        ["Sla:Webhooks"] = "Delivery retries and timeouts (WebhookOptions) keep their defaults; the targets themselves are per team under Sla:Teams.",
        ["Scoring:Severity"] = "The tiers and their terms ship embedded (severity-defaults.json) and are evaluated with the urgency model; managers change what a tier gets at run time with a routing rule (tiers condition, priority).",
        ["Handoffs"] = "Only the seed SLA targets per priority remain (used when Sla:Seed has no policies); priority comes from severity, and SLA policies are versioned data managers edit.",
        ["Sources:Mastodon"] = "Off until mastodonInstances are given (the dev parameters set one); limits and resilience keep their defaults.",
        ["Sources:Bluesky"] = "Off until blueskySearches are given (the dev parameters set one); limits and resilience keep their defaults.",
        ["Sources:Reddit"] = "Off until redditClientId is given (the dev parameters set one); limits and resilience keep their defaults.",
        ["Sources:Feeds"] = "Off until feeds are given (the dev parameters set one); limits and resilience keep their defaults.",
        ["Incidents"] = "Near-duplicate grouping runs on its defaults (threshold 0.6, window 24 h, surge 10 copies within 1 h); a change is a tuning decision to make with the sample's figures, not per environment.",
        ["Spikes"] = "K, the floors, MinWeeks and Alpha are the documented defaults (README, Spikes); an environment changes one with an app setting Spikes__<Name>, validated at start-up.",
        ["Spam"] = "The filter's thresholds and phrases are the ones evaluated (precision and recall in the README); an environment changes one with an app setting Spam__<Name>, validated at start-up.",
    };

    public static Assembly CoreAssembly => typeof(ServiceCollectionExtensions).Assembly;

    public static IReadOnlyList<(Type Type, string Section)> OptionsSections() =>
        CoreAssembly.GetExportedTypes()
            .Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal))
            .Select(t => (Type: t, Field: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)))
            .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
            .Select(x => (x.Type, (string)x.Field!.GetRawConstantValue()!))
            .OrderBy(x => x.Item2, StringComparer.Ordinal)
            .ToArray();

    /// <summary>Configuration keys (Section:Property form) the code needs a value for, with the option type that reads each.</summary>
    public static IReadOnlyList<(string Key, string ReadBy)> RequiredKeys()
    {
        var keys = new List<(string, string)>();
        foreach (var (type, section) in OptionsSections())
        {
            Walk(type, DefaultInstance(type), section, type.Name, keys);
        }

        return keys.Where(k => !OptionalByDesign.ContainsKey(k.Item1)).ToArray();
    }

    /// <summary>Settings named by %...% binding expressions in the Functions app's sources (the project does not build here, so its text is read).</summary>
    public static IReadOnlyList<(string Key, string ReadBy)> BindingExpressionKeys(string repositoryRoot)
    {
        var functions = Path.Combine(repositoryRoot, "functions", "SocialHandoff.Functions");
        return Directory.GetFiles(functions, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => BindingExpression().Matches(File.ReadAllText(f)).Select(m => (m.Groups[1].Value, Path.GetFileName(f))))
            .Distinct()
            .ToArray();
    }

    /// <summary>Queue names the code uses: every const string field named *Queue in SocialHandoff.Core.</summary>
    public static IReadOnlyList<string> QueueNames() => ConstantsNamed("Queue");

    /// <summary>Table names the code uses: StorageNames.Tables plus every const string field named *Table in SocialHandoff.Core.</summary>
    public static IReadOnlyList<string> TableNames() => ConstantsNamed("Table").Concat(StorageNames.Tables).Distinct(StringComparer.Ordinal).ToArray();

    public static string ToAppSetting(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static List<string> ConstantsNamed(string suffix) =>
        CoreAssembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string) && f.Name.EndsWith(suffix, StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    private static object DefaultInstance(Type type)
    {
        var create = type.GetMethod("CreateDefault", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes);
        return create is not null && create.ReturnType == type
            ? create.Invoke(null, null)!
            : Activator.CreateInstance(type)!;
    }

    private static void Walk(Type type, object? instance, string prefix, string readBy, List<(string, string)> keys)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var key = $"{prefix}:{property.Name}";
            var value = instance is null ? null : property.GetValue(instance);
            var propertyType = property.PropertyType;
            if (IsScalar(propertyType))
            {
                var noDefault = value is null || value is string { Length: 0 };
                if (property.GetCustomAttribute<RequiredAttribute>() is not null || (noDefault && !propertyType.IsValueType))
                {
                    keys.Add((key, $"{readBy}.{property.Name}"));
                }
            }
            else if (!typeof(IEnumerable).IsAssignableFrom(propertyType) && propertyType.IsClass)
            {
                Walk(propertyType, value ?? Activator.CreateInstance(propertyType), key, $"{readBy}.{property.Name}", keys);
            }
        }
    }

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(Uri)
            || t == typeof(TimeSpan) || t == typeof(DateTimeOffset) || t == typeof(DateTime) || t == typeof(Guid);
    }

    [GeneratedRegex("\"%([A-Za-z0-9_.:-]+)%\"")]
    private static partial Regex BindingExpression();
}

/// <summary>Which code reads a configuration key: the options graph of every section, the Functions binding expressions, and the few settings read by the platform.</summary>
public static class SettingReaders
{
    /// <summary>Settings the code does not read because the platform or the host does, each with who reads it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Platform = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["FUNCTIONS_WORKER_RUNTIME"] = "the Functions host (dotnet-isolated)",
        ["FUNCTIONS_EXTENSION_VERSION"] = "the Functions host",
        ["AzureWebJobsStorage"] = "the Functions host: its queue triggers and timer locks",
        ["AzureWebJobsStorage:accountName"] = "the Functions host, by identity",
        ["AzureWebJobsStorage:credential"] = "the Functions host, by identity",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "the Functions host and the worker's exporter (FunctionsTelemetry)",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "the Functions host and the worker's exporter (FunctionsTelemetry.Credential): Entra authentication to Application Insights",
        ["IsEncrypted"] = "Core Tools: local.settings.json's own flag",
        ["Logging"] = "Microsoft.Extensions.Logging: log levels",
    };

    /// <summary>Settings read directly by a host rather than through an options class.</summary>
    public static readonly IReadOnlyDictionary<string, string> ReadDirectly = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Local:Web:Port"] = "the local runner's web host (RunCommand)",
    };

    /// <summary>Options bound from their section straight into one property (the section's children are its keys), not property by property.</summary>
    private static readonly IReadOnlyDictionary<Type, string> BoundIntoProperty = new Dictionary<Type, string>
    {
        [typeof(SocialHandoff.Core.Teams.TeamsOptions)] = nameof(SocialHandoff.Core.Teams.TeamsOptions.Teams),
    };

    private static readonly Assembly LocalAssembly = typeof(SocialHandoff.Local.Pipeline.QueuePumpOptions).Assembly;

    /// <summary>Every options section of Core and the local runner, longest first so the most specific one is tried first.</summary>
    public static IReadOnlyList<(Type Type, string Section)> Sections { get; } =
        CodeSettings.OptionsSections()
            .Concat(LocalAssembly.GetExportedTypes()
                .Select(t => (Type: t, Field: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)))
                .Where(x => x.Type.Name.EndsWith("Options", StringComparison.Ordinal) && x.Field is { IsLiteral: true })
                .Select(x => (x.Type, (string)x.Field!.GetRawConstantValue()!)))
            .OrderByDescending(s => s.Item2.Length)
            .ToArray();

    /// <summary>Who reads <paramref name="key"/> (Section:Property form), or null when nothing does: a setting that is written but never read.</summary>
    public static string? ReaderOf(string key, IReadOnlyCollection<string> bindingExpressions)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Platform.Keys.FirstOrDefault(p => key.Equals(p, StringComparison.OrdinalIgnoreCase) || key.StartsWith(p + ":", StringComparison.OrdinalIgnoreCase)) is { } platform)
        {
            return Platform[platform];
        }

        if (ReadDirectly.TryGetValue(key, out var direct))
        {
            return direct;
        }

        foreach (var (type, section) in Sections)
        {
            var root = BoundIntoProperty.TryGetValue(type, out var property) ? type.GetProperty(property)!.PropertyType : type;
            if (key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)
                && Resolves(root, key[(section.Length + 1)..].Split(':'), 0))
            {
                return type.Name;
            }
        }

        return bindingExpressions.Contains(key, StringComparer.OrdinalIgnoreCase) ? "a Functions binding expression" : null;
    }

    // As the configuration binder reads it: properties by name (any case), dictionaries by any key, lists by index; a value lands on a scalar.
    private static bool Resolves(Type type, string[] path, int at)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (at == path.Length)
        {
            return IsScalar(t);
        }

        if (IsScalar(t))
        {
            return false;
        }

        if (DictionaryValue(t) is { } value)
        {
            return Resolves(value, path, at + 1);
        }

        if (t != typeof(string) && ElementType(t) is { } element)
        {
            return int.TryParse(path[at], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) && Resolves(element, path, at + 1);
        }

        var property = t.GetProperty(path[at], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is not null && property.GetIndexParameters().Length == 0
            && (property.SetMethod is { IsPublic: true } || !IsScalar(property.PropertyType))
            && Resolves(property.PropertyType, path, at + 1);
    }

    private static Type? DictionaryValue(Type t) =>
        (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IDictionary<,>) ? t : t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>)))
            ?.GetGenericArguments() is [var keyType, var valueType] && keyType == typeof(string) ? valueType : null;

    private static Type? ElementType(Type t) =>
        t.IsArray ? t.GetElementType()
        : (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? t : t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))?.GetGenericArguments()[0];

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(Uri)
            || t == typeof(TimeSpan) || t == typeof(DateTimeOffset) || t == typeof(DateTime) || t == typeof(Guid) || t == typeof(DateOnly) || t == typeof(TimeOnly);
    }
}
