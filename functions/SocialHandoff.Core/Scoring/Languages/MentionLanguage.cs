using System.Runtime.CompilerServices;

namespace SocialHandoff.Core.Scoring.Languages;

/// <summary>
/// The language a mention is read in: the source's tag when it gives one, otherwise detected from
/// function words (closed word classes, so a few words decide reliably), and the accent folding every
/// cue list is matched with (customers often drop accents: "nao", "reclamacao", "arger").
/// </summary>
public static class MentionLanguage
{
    /// <summary>Languages with cue lists of their own (urgency, severity, routing words).</summary>
    public static readonly IReadOnlyList<string> WithCues = ["en", "es", "pt", "fr", "de"];

    // Before FunctionWords, whose masks have a bit per language in this order.
    private static readonly string[] Order = ["en", "es", "pt", "fr", "de", "it", "nl"];

    // Function words that are not also frequent English words, per language; a text needs two of one
    // language, and more than of any other, to be called that language.
    private static readonly SpanLookup<int> FunctionWords = Build(new()
    {
        ["es"] = ["el", "los", "las", "del", "que", "por", "para", "con", "una", "muy", "pero", "es", "esta", "esto", "mi", "su", "sus", "lo", "le", "se", "y", "mas", "ya", "como", "cuando", "porque", "nada", "hoy", "gracias", "tengo", "tiene", "hay", "ni", "sin", "yo", "eso", "nadie", "llevo", "desde", "me", "ningun", "ninguna", "pedido", "todavia", "aun", "estoy", "la", "de", "en", "al", "un", "hubo"],
        ["pt"] = ["nao", "muito", "uma", "os", "voce", "com", "meu", "minha", "isso", "obrigado", "obrigada", "ainda", "ja", "sao", "tambem", "foi", "tem", "do", "da", "dos", "das", "em", "um", "ninguem", "nenhum", "estou", "pedido", "seu", "sua", "ate", "pra", "aqui", "esta", "de", "na", "no", "ao", "voces", "vcs", "depois", "agora", "pelo", "pela"],
        ["fr"] = ["le", "les", "des", "est", "et", "je", "pas", "une", "pour", "avec", "tres", "mais", "du", "au", "aux", "ce", "cette", "qui", "sur", "dans", "ne", "nous", "vous", "mon", "ma", "mes", "votre", "merci", "toujours", "encore", "rien", "jamais", "c'est", "j'ai", "n'est", "ete", "ai", "personne", "depuis", "ca", "n'a", "m'a", "la", "de", "en", "un", "est-ce", "apres"],
        ["de"] = ["der", "die", "das", "und", "ist", "nicht", "ich", "mit", "sehr", "ein", "eine", "auf", "fur", "auch", "nur", "noch", "wie", "aber", "mein", "meine", "sich", "wir", "ihr", "kein", "keine", "wurde", "schon", "immer", "danke", "bitte", "den", "dem", "zu", "von", "bei", "nach", "seit", "warte", "niemand", "habe", "hat", "ihre", "ihren", "wird", "war", "am", "im", "es", "wann", "wo", "warum", "nach"],
        ["it"] = ["il", "che", "non", "della", "e", "sono", "per", "molto", "gli", "questo", "questa", "anche", "ancora", "hanno", "grazie", "mio", "perche", "sempre", "niente", "nessuna", "nessuno", "ordine", "di", "dal"],
        ["nl"] = ["het", "een", "niet", "ik", "ook", "maar", "wel", "zijn", "nog", "geen", "bij", "naar", "dat", "wat", "mijn", "nooit", "is"],
        ["en"] = ["the", "and", "is", "are", "was", "to", "of", "my", "i", "you", "your", "it", "this", "that", "for", "with", "not", "have", "has", "on", "at", "be", "been", "why", "what", "how", "just", "can", "will", "from", "me", "we", "they", "but", "so", "again", "still", "no", "please", "thanks", "i'm", "it's", "don't", "can't"],
    });

    /// <summary>
    /// The primary subtag ("es") of <paramref name="tag"/> when it names a language; otherwise the
    /// language detected in <paramref name="text"/> (one of en, es, pt, fr, de, it, nl), or "en" when
    /// nothing decides (the scorer's English reading then applies, as before).
    /// </summary>
    public static string Resolve(string? tag, string? text)
    {
        if (Primary(tag) is { } primary)
        {
            return primary;
        }

        return Detect(text) ?? "en";
    }

    /// <summary>The language whose function words the text holds most (at least two), or null.</summary>
    public static string? Detect(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : Detect(FoldedWords.For(text));

    /// <summary>As <see cref="Detect(string?)"/>, from words already read.</summary>
    internal static string? Detect(FoldedWords words)
    {
        Span<int> counts = stackalloc int[Order.Length];
        for (var w = 0; w < words.Count; w++)
        {
            if (words.TryLookUp(FunctionWords, w, out var languages))
            {
                // A bit per language of Order.
                for (var i = 0; i < counts.Length; i++)
                {
                    counts[i] += (languages >> i) & 1;
                }
            }
        }

        var best = -1;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] >= 2 && (best < 0 || counts[i] > counts[best]))
            {
                best = i;
            }
        }

        return best < 0 ? null : Order[best];
    }

    /// <summary>The primary subtag of a BCP 47 (or X) tag, lower case; null for no tag, "und", "zxx" and X's q-codes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? Primary(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            return null;
        }

        var primary = tag.Trim().Split('-', '_')[0].ToLowerInvariant();
        return primary is "und" or "zxx" || (primary.Length == 3 && primary[0] == 'q') ? null : primary is "eng" ? "en" : primary;
    }

    /// <summary>Lower-case words with accents folded (letters and apostrophes); @handles and links are not words.</summary>
    public static IEnumerable<string> Words(string text)
    {
        foreach (var token in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (token[0] == '@' || token.StartsWith("http", StringComparison.OrdinalIgnoreCase) || token.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var start = -1;
            for (var i = 0; i <= token.Length; i++)
            {
                var c = i < token.Length ? token[i] : ' ';
                if (char.IsLetter(c) || c is '\'' or '\u2019')
                {
                    start = start < 0 ? i : start;
                    continue;
                }

                if (start >= 0)
                {
                    yield return FoldWord(token.AsSpan(start, i - start));
                    start = -1;
                }
            }
        }
    }

    /// <summary>A word or phrase in the form cue lists are matched in: lower case, accents folded, curly apostrophes straight.</summary>
    public static string FoldWord(ReadOnlySpan<char> word)
    {
        Span<char> buffer = word.Length <= 256 ? stackalloc char[word.Length] : new char[word.Length];
        for (var i = 0; i < word.Length; i++)
        {
            buffer[i] = Fold(word[i]);
        }

        return new string(buffer);
    }

    /// <summary>Lower case with the accent of a Latin letter dropped (é -> e, ç -> c, ñ -> n, ü -> u); ß and other scripts are kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static char Fold(char c)
    {
        if (char.IsAscii(c))
        {
            return char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
        }

        c = char.ToLowerInvariant(c);
        return c switch
        {
            '\u2019' => '\'',
            >= 'à' and <= 'å' => 'a',
            'ç' => 'c',
            >= 'è' and <= 'ë' => 'e',
            >= 'ì' and <= 'ï' => 'i',
            'ñ' => 'n',
            >= 'ò' and <= 'ö' => 'o',
            >= 'ù' and <= 'ü' => 'u',
            'ý' or 'ÿ' => 'y',
            _ => c,
        };
    }

    private static SpanLookup<int> Build(Dictionary<string, string[]> lists)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (language, words) in lists)
        {
            foreach (var word in words)
            {
                map[word] = map.GetValueOrDefault(word) | (1 << Array.IndexOf(Order, language));
            }
        }

        return new SpanLookup<int>(map);
    }
}
