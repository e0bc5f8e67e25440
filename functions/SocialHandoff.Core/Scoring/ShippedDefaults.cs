using System.Text.Json;

namespace SocialHandoff.Core.Scoring;

/// <summary>
/// Reads the embedded default files (urgency, severity) as a <see cref="JsonDocument"/>, whose code
/// the framework ships precompiled. The source-generated serializer read them before: its metadata
/// for two option types cost some 290 methods compiled at every start, a quarter of the `score`
/// command's start-up. Each option type maps its own settings by name (<c>CreateDefault</c>), the
/// serializer's way: a later value replaces an earlier one, a collection is a new one. Unlike the
/// serializer, a setting it does not know stops the read, so a typo in a default cannot leave a
/// weight at zero unnoticed, and dictionaries ignore case in their keys, as configuration does
/// (<see cref="ConfiguredNames"/>). ShippedDefaultsTests keep the values equal to the serializer's.
/// </summary>
internal static class ShippedDefaults
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The embedded file <paramref name="name"/> (under <c>SocialHandoff.Scoring.</c>) as a document.</summary>
    public static JsonDocument Open(string name)
    {
        using var stream = OpenResource(name);
        return JsonDocument.Parse(stream, Options);
    }

    /// <summary>The embedded file <paramref name="name"/>, unread.</summary>
    public static Stream OpenResource(string name) =>
        typeof(ShippedDefaults).Assembly.GetManifestResourceStream("SocialHandoff.Scoring." + name)
            ?? throw new InvalidOperationException($"Embedded {name} is missing.");

    /// <summary>Sets each property of <paramref name="json"/> on <paramref name="target"/>, in order, through <paramref name="set"/> (false: not a setting).</summary>
    public static T Read<T>(JsonElement json, T target, Func<T, string, JsonElement, bool> set, string where)
    {
        foreach (var property in json.EnumerateObject())
        {
            if (!set(target, property.Name, property.Value))
            {
                throw new InvalidOperationException($"{where}: '{property.Name}' is not a setting.");
            }
        }

        return target;
    }

    public static List<string> Strings(JsonElement array)
    {
        var strings = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            strings.Add(item.GetString()!);
        }

        return strings;
    }

    /// <summary>An object of string arrays (terms by language), keyed as configuration keys them (<see cref="ConfiguredNames"/>).</summary>
    public static Dictionary<string, List<string>> StringLists(JsonElement json) => Keyed(json, static (_, value) => Strings(value));

    /// <summary>
    /// An object's properties by name, case ignored (<see cref="ConfiguredNames"/>). A name given twice,
    /// in any case, is a mistake in the shipped file (which one was meant?): it fails, naming both.
    /// </summary>
    public static Dictionary<string, T> Keyed<T>(JsonElement json, Func<string, JsonElement, T> read)
    {
        var values = new Dictionary<string, T>(ConfiguredNames.Comparer);
        foreach (var property in json.EnumerateObject())
        {
            // The dictionary ignores case itself; the earlier spelling is looked up only to name it.
            if (values.ContainsKey(property.Name))
            {
                var earlier = values.Keys.First(k => ConfiguredNames.Comparer.Equals(k, property.Name));
                throw new InvalidDataException($"'{property.Name}' is given twice (also as '{earlier}'; names ignore case).");
            }

            values[property.Name] = read(property.Name, property.Value);
        }

        return values;
    }
}
