using System.Text.Json;
using System.Text.Json.Serialization;
using SocialHandoff.Core.Scoring.Languages;

namespace SocialHandoff.Core.Routing.Rules;

/// <summary>
/// The same thing said in each language the product reads (<c>rule-words.json</c>, embedded): a rule
/// word found in a concept also matches that concept's words in the languages the rule lists, so a
/// billing rule written in English ("refund") takes "reembolso", "remboursement" and "Erstattung".
/// </summary>
internal static class RuleWords
{
    private static readonly Lazy<RuleWordConcept[]> Concepts = new(Load);

    /// <summary>
    /// The forms a rule word matches: itself first, then the words of every concept that holds it, in
    /// <paramref name="languages"/> (primary tags; every language when empty). All folded (lower case, no accents).
    /// </summary>
    public static IReadOnlyList<string> Expand(string word, IReadOnlyCollection<string> languages)
    {
        var folded = MentionLanguage.FoldWord(word.Trim());
        var forms = new List<string> { folded };
        foreach (var concept in Concepts.Value)
        {
            if (!concept.Values.Any(words => words.Any(w => MentionLanguage.FoldWord(w) == folded)))
            {
                continue;
            }

            foreach (var (language, words) in concept)
            {
                if (languages.Count == 0 || languages.Any(l => string.Equals(MentionLanguage.Primary(l), language, StringComparison.OrdinalIgnoreCase)))
                {
                    forms.AddRange(words.Select(w => MentionLanguage.FoldWord(w)).Where(w => !forms.Contains(w)));
                }
            }
        }

        return forms;
    }

    private static RuleWordConcept[] Load()
    {
        using var json = typeof(RuleWords).Assembly.GetManifestResourceStream("SocialHandoff.Routing.rule-words.json")
            ?? throw new InvalidOperationException("Embedded rule-words.json is missing.");
        return JsonSerializer.Deserialize(json, RuleWordsJsonContext.Default.RuleWordFile)?.Concepts
            ?? throw new InvalidOperationException("rule-words.json is empty.");
    }
}

internal sealed class RuleWordConcept : Dictionary<string, List<string>>;

internal sealed class RuleWordFile
{
    public RuleWordConcept[] Concepts { get; set; } = [];
}

[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(RuleWordFile))]
internal sealed partial class RuleWordsJsonContext : JsonSerializerContext;
