using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace SocialHandoff.Core.Scoring.Sentiment;

/// <summary>What the scorer needs to know about a word, found with a single look-up.</summary>
[Flags]
internal enum WordTraits : uint
{
    None = 0,
    InLexicon = 1 << 0,
    Booster = 1 << 1,
    Negation = 1 << 2,
    PhrasePart = 1 << 3,
    No = 1 << 4,
    But = 1 << 5,
    Least = 1 << 6,
    AtOrVery = 1 << 7,
    Never = 1 << 8,
    SoOrThis = 1 << 9,
    Without = 1 << 10,
    Doubt = 1 << 11,
    Kind = 1 << 12,
    Of = 1 << 13,
    OrNor = 1 << 14,
    EnglishFunctionWord = 1 << 15,
    ForeignFunctionWord = 1 << 16,

    // Where a word stands in a multi-word expression of two or three words (it can be in several):
    // a window of tokens is looked up as an expression only if each can stand in its place.
    FirstOfTwo = 1 << 17,
    LastOfTwo = 1 << 18,
    FirstOfThree = 1 << 19,
    MiddleOfThree = 1 << 20,
    LastOfThree = 1 << 21,

    // Where a word stands in a complaint idiom (ComplaintIdioms) of up to four words: a window is
    // looked up only if each word can stand in its place and the last can end one.
    IdiomStart = 1 << 22,
    IdiomSecond = 1 << 23,
    IdiomThird = 1 << 24,
    IdiomFourth = 1 << 25,
    IdiomEnd = 1 << 26,
    IdiomPart = IdiomStart | IdiomSecond | IdiomThird | IdiomFourth | IdiomEnd,
}

internal readonly record struct LexiconEntry(double Valence, double Booster, WordTraits Traits);

/// <summary>A multi-word expression: either its valence replaces the word's, or (a booster such as "kind of") it is added.</summary>
internal readonly record struct PhraseEntry(double Value, bool IsBooster);

/// <summary>A complaint idiom: its valence, its text and its text quoted as reasons show it (made once, not per mention).</summary>
internal readonly record struct IdiomEntry(double Valence, string Phrase, string Quoted);

/// <summary>
/// The VADER word and emoji lexicons (MIT, (c) 2016 C.J. Hutto, shipped as embedded resources with
/// their licence) merged with the rule words, so a token costs one hash look-up on a span.
/// </summary>
internal sealed class SentimentLexicon
{
    private static readonly Lazy<SentimentLexicon> DefaultInstance = new(LoadEmbedded);

    private readonly FrozenDictionary<int, string> _emoji;

    private SentimentLexicon(
        IReadOnlyDictionary<string, LexiconEntry> words,
        IReadOnlyDictionary<string, PhraseEntry> phrases,
        IReadOnlyDictionary<string, IdiomEntry> idioms,
        FrozenDictionary<int, string> emoji)
    {
        _emoji = emoji;
        Words = new SpanLookup<LexiconEntry>(words);
        Phrases = new SpanLookup<PhraseEntry>(phrases);
        Idioms = new SpanLookup<IdiomEntry>(idioms);
    }

    public static SentimentLexicon Default => DefaultInstance.Value;

    public SpanLookup<LexiconEntry> Words { get; }

    public SpanLookup<PhraseEntry> Phrases { get; }

    public SpanLookup<IdiomEntry> Idioms { get; }

    public int WordCount => Words.Count;

    public bool TryGetEmojiDescription(int codePoint, out string description) =>
        _emoji.TryGetValue(codePoint, out description!);

    /// <summary>True for a code point that only modifies the emoji before it (variation selector, skin tone, joiner).</summary>
    public static bool IsEmojiModifier(int codePoint) =>
        codePoint is 0xFE0E or 0xFE0F or 0x200D or 0x20E3 || codePoint is >= 0x1F3FB and <= 0x1F3FF;

    internal static SentimentLexicon LoadEmbedded()
    {
        var assembly = typeof(SentimentLexicon).Assembly;
        using var lexicon = OpenResource(assembly, "SocialHandoff.Scoring.vader_lexicon.txt");
        using var emoji = OpenResource(assembly, "SocialHandoff.Scoring.emoji_utf8_lexicon.txt");
        return Build(lexicon, emoji);
    }

    internal static SentimentLexicon Build(TextReader lexiconTsv, TextReader emojiTsv)
    {
        var words = new Dictionary<string, LexiconEntry>(StringComparer.Ordinal);

        void AddTraits(string word, WordTraits traits, double? valence = null, double? booster = null)
        {
            words.TryGetValue(word, out var existing);
            words[word] = new LexiconEntry(
                valence ?? existing.Valence,
                booster ?? existing.Booster,
                existing.Traits | traits);
        }

        // Tokens are looked up in lower case. An entry written with capitals (":D") is reachable
        // only through its lower-case form, and never overrides an entry already written that way.
        var capitalised = new List<(string Word, double Valence)>();
        string? line;
        while ((line = lexiconTsv.ReadLine()) is not null)
        {
            var parts = line.Split('\t');
            if (parts.Length < 2 || parts[0].Length == 0)
            {
                continue;
            }

            var valence = double.Parse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture);
            var lower = parts[0].ToLowerInvariant();
            if (lower == parts[0])
            {
                AddTraits(lower, WordTraits.InLexicon, valence);
            }
            else
            {
                capitalised.Add((lower, valence));
            }
        }

        foreach (var (word, valence) in capitalised)
        {
            if (!words.TryGetValue(word, out var entry) || (entry.Traits & WordTraits.InLexicon) == 0)
            {
                AddTraits(word, WordTraits.InLexicon, valence);
            }
        }

        // The scorer looks for windows of two or three words; an entry of another length ("badass")
        // marks its words as phrase parts only.
        void AddPhraseParts(string phrase)
        {
            var parts = phrase.Split(' ');
            WordTraits[] places = parts.Length switch
            {
                2 => [WordTraits.FirstOfTwo, WordTraits.LastOfTwo],
                3 => [WordTraits.FirstOfThree, WordTraits.MiddleOfThree, WordTraits.LastOfThree],
                _ => [.. parts.Select(_ => WordTraits.None)],
            };
            for (var k = 0; k < parts.Length; k++)
            {
                AddTraits(parts[k], WordTraits.PhrasePart | places[k]);
            }
        }

        var phrases = new Dictionary<string, PhraseEntry>(StringComparer.Ordinal);
        foreach (var (word, value) in VaderRules.Boosters)
        {
            if (word.Contains(' '))
            {
                phrases[word] = new PhraseEntry(value, IsBooster: true);
                AddPhraseParts(word);
            }
            else
            {
                AddTraits(word, WordTraits.Booster, booster: value);
            }
        }

        foreach (var (phrase, value) in VaderRules.Phrases)
        {
            phrases[phrase] = new PhraseEntry(value, IsBooster: false);
            AddPhraseParts(phrase);
        }

        foreach (var negation in VaderRules.Negations)
        {
            AddTraits(negation, WordTraits.Negation);
        }

        AddTraits("no", WordTraits.No);
        AddTraits("but", WordTraits.But);
        AddTraits("least", WordTraits.Least);
        AddTraits("at", WordTraits.AtOrVery);
        AddTraits("very", WordTraits.AtOrVery);
        AddTraits("never", WordTraits.Never);
        AddTraits("so", WordTraits.SoOrThis);
        AddTraits("this", WordTraits.SoOrThis);
        AddTraits("without", WordTraits.Without);
        AddTraits("doubt", WordTraits.Doubt);
        AddTraits("kind", WordTraits.Kind);
        AddTraits("of", WordTraits.Of);
        AddTraits("or", WordTraits.OrNor);
        AddTraits("nor", WordTraits.OrNor);
        foreach (var word in EnglishFunctionWords.All)
        {
            AddTraits(word, WordTraits.EnglishFunctionWord);
        }

        foreach (var word in ForeignFunctionWords.All)
        {
            AddTraits(word, WordTraits.ForeignFunctionWord);
        }

        var idioms = new Dictionary<string, IdiomEntry>(StringComparer.Ordinal);
        foreach (var (phrase, valence) in ComplaintIdioms.Expand())
        {
            var parts = phrase.Split(' ');
            if (parts.Length is < 2 or > ComplaintIdioms.MaxWords || !idioms.TryAdd(phrase, new IdiomEntry(valence, phrase, $"'{phrase}'")))
            {
                throw new InvalidOperationException($"Complaint idiom '{phrase}' is written twice or is not {2}-{ComplaintIdioms.MaxWords} words.");
            }

            WordTraits[] places = [WordTraits.IdiomStart, WordTraits.IdiomSecond, WordTraits.IdiomThird, WordTraits.IdiomFourth];
            for (var k = 0; k < parts.Length; k++)
            {
                AddTraits(parts[k], places[k] | (k == parts.Length - 1 ? WordTraits.IdiomEnd : WordTraits.None));
            }
        }

        var emoji = new Dictionary<int, string>();
        while ((line = emojiTsv.ReadLine()) is not null)
        {
            var tab = line.IndexOf('\t');
            if (tab <= 0)
            {
                continue;
            }

            var key = line.AsSpan(0, tab);
            var description = line[(tab + 1)..].Trim();
            if (!Rune.TryGetRuneAt(key.ToString(), 0, out var first))
            {
                continue;
            }

            // Only single-code-point emoji (optionally with a variation selector) are keys: longer
            // sequences are read one code point at a time with their modifiers skipped.
            var rest = key[first.Utf16SequenceLength..];
            if (rest.IsEmpty || rest is "\uFE0F")
            {
                emoji.TryAdd(first.Value, description);
            }
        }

        return new SentimentLexicon(
            words,
            phrases,
            idioms,
            emoji.ToFrozenDictionary());
    }

    private static StreamReader OpenResource(Assembly assembly, string name) =>
        new(assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded lexicon '{name}' is missing from {assembly.GetName().Name}."));
}
