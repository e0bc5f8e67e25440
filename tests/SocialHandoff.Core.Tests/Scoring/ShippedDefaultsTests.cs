using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Severity;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Core.Tests.Scoring;

/// <summary>The shipped defaults read by hand are what the serializer reads from the same files.</summary>
public sealed class ShippedDefaultsTests
{
    // What CreateDefault used before (the source-generated context had these options), by reflection here.
    private static readonly JsonSerializerOptions Serializer = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static T ReadBySerializer<T>(string name)
    {
        using var stream = ShippedDefaults.OpenResource(name);
        return JsonSerializer.Deserialize<T>(stream, Serializer)!;
    }

    [Fact]
    public void CreateDefault_Urgency_SameSettingsAsTheSerializersReadingKeyedIgnoringCase()
    {
        var expected = ReadBySerializer<UrgencyOptions>("urgency-defaults.json");
        var actual = UrgencyOptions.CreateDefault();

        Assert.NotEmpty(actual.WordEvidence);
        expected.WordEvidence = actual.WordEvidence; // the word evidence comes from its own file, read as before
        Assert.Equal(JsonSerializer.Serialize(expected, Serializer), JsonSerializer.Serialize(actual, Serializer));
        AssertKeysIgnoreCase(actual);
    }

    [Fact]
    public void CreateDefault_Severity_SameSettingsAsTheSerializersReadingKeyedIgnoringCase()
    {
        var expected = ReadBySerializer<SeverityOptions>("severity-defaults.json");
        var actual = SeverityOptions.CreateDefault();

        Assert.NotEmpty(actual.Tiers);
        Assert.Equal(JsonSerializer.Serialize(expected, Serializer), JsonSerializer.Serialize(actual, Serializer));
        AssertKeysIgnoreCase(actual);
    }

    [Theory]
    [InlineData("""{"AttentionThreshold": 38, "AtentionThreshold": 40}""", "'AtentionThreshold' is not a setting")]
    [InlineData("""{"CueGroups": [{"Name": "crisis", "Term": ["fire"]}]}""", "'Term' is not a setting")]
    public void Read_SettingTheOptionsDoNotHave_FailsNamingIt(string json, string message)
    {
        using var document = JsonDocument.Parse(json);

        var error = Assert.Throws<InvalidOperationException>(() => ShippedDefaults.Read(document.RootElement, new UrgencyOptions(), UrgencyOptions.Set, "urgency-defaults.json"));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SettingGivenTwice_TheLastOneCountsAsWithTheSerializer()
    {
        const string json = """{"ComplaintPriority": "P3", "Tiers": {"a": {"Label": "a", "Terms": {"en": ["x"]}}}, "ComplaintPriority": "P1"}""";
        using var document = JsonDocument.Parse(json);

        var actual = ShippedDefaults.Read(document.RootElement, new SeverityOptions(), SeverityOptions.Set, "severity-defaults.json");

        Assert.Equal("P1", actual.ComplaintPriority);
        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<SeverityOptions>(json, Serializer), Serializer), JsonSerializer.Serialize(actual, Serializer));
    }

    [Theory]
    [InlineData("""{"Tiers": {"outage": {"Label": "outage", "Priority": "P1"}, "Outage": {"Label": "outage", "Priority": "P2"}}}""", "'Outage' is given twice (also as 'outage'")]
    [InlineData("""{"Tiers": {"outage": {"Label": "outage", "Priority": "P1", "Terms": {"en": ["down"], "EN": ["dark"]}}}}""", "'EN' is given twice (also as 'en'")]
    [InlineData("""{"Tiers": {"outage": {"Label": "outage", "Priority": "P1"}, "outage": {"Label": "outage", "Priority": "P2"}}}""", "'outage' is given twice (also as 'outage'")]
    public void Read_NameGivenTwiceInAnyCase_FailsNamingBoth(string json, string expected)
    {
        // Which one was meant? Before, the last silently won (and, before names ignored case, two spellings made two tiers).
        using var document = JsonDocument.Parse(json);

        var error = Assert.ThrowsAny<Exception>(() => ShippedDefaults.Read(document.RootElement, new SeverityOptions(), SeverityOptions.Set, "severity-defaults.json"));

        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    // Regression: the defaults were read into case-sensitive dictionaries, so configuration's "Outage" added a tier beside "outage".
    private static void AssertKeysIgnoreCase(object options)
    {
        var comparers = Comparers(options);
        Assert.NotEmpty(comparers);
        Assert.All(comparers, c => Assert.EndsWith(": " + StringComparer.OrdinalIgnoreCase.GetType().Name, c, StringComparison.Ordinal));
    }

    // Each dictionary's comparer, found by walking the options' properties and collections.
    private static List<string> Comparers(object options)
    {
        var found = new List<string>();
        Walk(options, options.GetType().Name, found);
        return found;
    }

    private static void Walk(object? value, string path, List<string> found)
    {
        switch (value)
        {
            case null or string or ValueType:
                return;
            case IDictionary dictionary:
                found.Add($"{path}: {dictionary.GetType().GetProperty("Comparer")!.GetValue(dictionary)!.GetType().Name}");
                foreach (DictionaryEntry entry in dictionary)
                {
                    Walk(entry.Value, $"{path}[{entry.Key}]", found);
                }

                return;
            case IEnumerable items:
                var index = 0;
                foreach (var item in items)
                {
                    Walk(item, $"{path}[{index++}]", found);
                }

                return;
            default:
                foreach (var property in value.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0))
                {
                    Walk(property.GetValue(value), $"{path}.{property.Name}", found);
                }

                return;
        }
    }
}
