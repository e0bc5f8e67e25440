using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Languages;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Core.Tests.Scoring;

/// <summary>Spanish, Portuguese, French and German mentions (written for the project), with and without the source's language tag.</summary>
public sealed class LanguageTests
{
    private static readonly MentionScorer Scorer = new(UrgencyOptions.CreateDefault());

    [Theory]
    [InlineData("@ContosoBank llevo dos semanas esperando el reembolso y nadie me responde. Muy mal servicio", "complaint", "P2")]
    [InlineData("@NorthwindCafe mi pedido nunca llegó y el repartidor lo marcó como entregado", "complaint", "P2")]
    [InlineData("@FabrikamHome la freidora dejó de funcionar a los tres días, es una vergüenza", "complaint", "P2")]
    [InlineData("@ContosoBank me cobraron dos veces la misma compra, quiero mi dinero", "complaint", "P2")]
    [InlineData("@NorthwindCafe intoxicación alimentaria después del bocadillo de pollo, mi hijo está en el hospital", "health", "P1")]
    [InlineData("@FabrikamHome el cargador se incendió en la cocina, casi se quema la casa", "safety", "P1")]
    [InlineData("@ContosoBank me han hackeado la cuenta y veo movimientos que nunca hice", "security", "P1")]
    [InlineData("@NorthwindCafe ¿a qué hora abre la tienda de la estación los domingos?", "request", "P3")]
    [InlineData("@FabrikamHome gracias por la atención tan rápida, todo solucionado. ¡Genial!", "praise", "P4")]
    [InlineData("@FabrikamHome no hubo ningún herido, pero la tapa salió volando", "negated", "not P1")]
    public void Score_Spanish_TierAndPriorityLikeEnglish(string text, string tier, string priority) => AssertScored(text, "es", tier, priority);

    [Theory]
    [InlineData("@ContosoBank meu pedido chegou quebrado e ninguém resolve. Péssimo atendimento", "complaint", "P2")]
    [InlineData("@NorthwindCafe fui cobrado duas vezes e até agora nada de estorno", "complaint", "P2")]
    [InlineData("@FabrikamHome o aspirador parou de funcionar depois de uma semana, que vergonha", "complaint", "P2")]
    [InlineData("@ContosoBank o aplicativo está com erro há três dias e ninguém responde", "complaint", "P2")]
    [InlineData("@NorthwindCafe intoxicação alimentar depois do sanduíche, fui parar no hospital", "health", "P1")]
    [InlineData("@FabrikamHome a chaleira pegou fogo na tomada, isso é perigoso", "safety", "P1")]
    [InlineData("@ContosoBank vazamento de dados? recebi um e-mail com os dados de outra pessoa", "data-exposure", "P1")]
    [InlineData("@NorthwindCafe vocês entregam no centro da cidade?", "request", "P3")]
    [InlineData("@FabrikamHome obrigado pelo atendimento, problema resolvido. Recomendo!", "praise", "P4")]
    [InlineData("@ContosoBank não foi fraude, só esqueci da compra. Tudo certo", "negated", "not P1")]
    public void Score_Portuguese_TierAndPriorityLikeEnglish(string text, string tier, string priority) => AssertScored(text, "pt", tier, priority);

    [Theory]
    [InlineData("@FabrikamHome ma commande n'est jamais arrivée et le service client ne répond pas. Inadmissible.", "complaint", "P2")]
    [InlineData("@ContosoBank j'ai été débité deux fois et toujours pas de remboursement", "complaint", "P2")]
    [InlineData("@NorthwindCafe le café était froid et le serveur très désagréable, c'est une honte", "complaint", "P2")]
    [InlineData("@FabrikamHome la bouilloire ne fonctionne pas depuis lundi, je suis déçu", "complaint", "P2")]
    [InlineData("@NorthwindCafe intoxication alimentaire après le sandwich, toute la famille est malade", "health", "P1")]
    [InlineData("@FabrikamHome le grille-pain a pris feu ce matin, c'est dangereux", "safety", "P1")]
    [InlineData("@ContosoBank mon compte a été piraté et il y a des paiements non autorisés", "security", "P1")]
    [InlineData("@NorthwindCafe est-ce que vous livrez à Lyon ?", "request", "P3")]
    [InlineData("Merci @ContosoBank, l'équipe de l'agence est vraiment adorable", "praise", "P4")]
    [InlineData("@FabrikamHome pas de blessé, mais la porte du four est tombée", "negated", "not P1")]
    public void Score_French_TierAndPriorityLikeEnglish(string text, string tier, string priority) => AssertScored(text, "fr", tier, priority);

    [Theory]
    [InlineData("@ContosoBank ich wurde doppelt belastet und warte seit Tagen auf eine Antwort. Sehr ärgerlich", "complaint", "P2")]
    [InlineData("@NorthwindCafe meine Bestellung ist nie angekommen und niemand antwortet", "complaint", "P2")]
    [InlineData("@FabrikamHome der Staubsauger ist nach einer Woche kaputt, eine Frechheit", "complaint", "P2")]
    [InlineData("@ContosoBank die App funktioniert nicht, ich komme nicht an mein Konto", "complaint", "P2")]
    [InlineData("@NorthwindCafe Lebensmittelvergiftung nach dem Sandwich, wir waren im Krankenhaus", "health", "P1")]
    [InlineData("@FabrikamHome der Wasserkocher hat Feuer gefangen, das ist gefährlich", "safety", "P1")]
    [InlineData("@ContosoBank Datenleck? Ich sehe das Konto von jemand anderem in der App", "data-exposure", "P1")]
    [InlineData("@NorthwindCafe wann öffnet die Filiale am Sonntag?", "request", "P3")]
    [InlineData("Super Service von @FabrikamHome, Ersatz kam schon am nächsten Tag. Danke!", "praise", "P4")]
    [InlineData("@FabrikamHome niemand wurde verletzt, aber der Deckel ist abgesprungen", "negated", "not P1")]
    public void Score_German_TierAndPriorityLikeEnglish(string text, string tier, string priority) => AssertScored(text, "de", tier, priority);

    [Fact]
    public void FoldedWords_HostileAndMixedTexts_SameWordsAsTheWordsReference()
    {
        // The reused word buffer that detection and severity read must give exactly MentionLanguage.Words.
        string[] pieces = ["@acme", "@", "http://x.co/a", "HTTPS", "httpd", "www.", "WWW.acme", "don’t", "it's", "ÉTÉ", "straße", "İstanbul", "Ⅻ", "ǅungla",
            "naïve", "123", "#fail", "a-b", "l'été", "😡", ":(", "\u00a0", "\u3000", "\t", "\n", " ", "  ", "x", "ÀÉÎÕÜ", "ß", "Ωμέγα", "日本語", "\u200b"];
        var random = new Random(16);
        for (var n = 0; n < 3000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 12)).Select(_ => pieces[random.Next(pieces.Length)] + (random.Next(3) == 0 ? "" : " ")));
            var words = FoldedWords.For(text);
            var expected = MentionLanguage.Words(text).ToArray();
            Assert.Equal(expected, Enumerable.Range(0, words.Count).Select(w => words[w].ToString()).ToArray());
        }
    }

    [Fact]
    public void FoldedWords_HostileAndMixedTexts_AllWordsMarksAndHandlesAsUrgencysReference()
    {
        // Urgency reads the same pass with its own edges: a handle's tail, "http" without "://", an '@' that starts no handle.
        string[] pieces = ["@acme", "@Acme_Help", "@acme's", "@acme-care", "@_x", "@", "@@acme", "@é", "@123!", "@acme?", "x@acme", "http", "httpd", "http:", "HTTP://x.co/1?",
            "https://e.com/#a", "hTtPs:/x", "www", "www.", "WWW.acme", "wwwx", "don’t", "it's", "ÉTÉ", "straße", "İstanbul", "Ⅻ", "ǅungla", "naïve", "123", "#fail", "#1",
            "# x", "a#b", "?", "!", "？", "a-b", "l'été", "😡", ":(", "\u00a0", "\u3000", "\t", "\n", " ", "  ", "x", "ÀÉÎÕÜ", "ß", "Ωμέγα", "日本語", "\u200b", "\u0301"];
        var random = new Random(17);
        for (var n = 0; n < 5000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 12)).Select(_ => pieces[random.Next(pieces.Length)] + (random.Next(3) == 0 ? "" : " ")));
            var words = FoldedWords.For(text);
            var expected = UrgencyReading.Of(text);
            Assert.Equal(expected.Words, Enumerable.Range(0, words.AllCount).Select(w => words.All(w).ToString()).ToArray());
            Assert.Equal(expected.Handles, Enumerable.Range(0, words.HandleCount).Select(words.Handle).ToArray());
            Assert.Equal(expected.Marks, words.Marks);
        }
    }

    [Fact]
    public void FoldedWords_LongLetterRunsAgainstAsciiNeighbours_SameWordsAndMarksAsBothReferences()
    {
        // Runs of ASCII letters are read 8 at a time: runs of every length and offset, ended by the characters
        // next to the letters' ranges ('@', '[', '`', '{'), other word characters or the text's end.
        string[] pieces = ["Customerservice", "REFUNDS", "abcdefgh", "aBcDeFgHiJkLmNoP", "Zz", "a", "don't", "don’t", "x1y", "a@b", "@acme", "[", "`", "{",
            "@", "Z[", "z{", "A`", "étéÉTÉ", "naïveNAÏVE", "#fail", "?", "!", "httpdHTTPD", "http://x.co/a", "www.", "\u00a0", "\t", " ", "  "];
        var random = new Random(18);
        for (var n = 0; n < 5000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 14)).Select(_ => pieces[random.Next(pieces.Length)] + (random.Next(3) == 0 ? "" : " ")));
            var words = FoldedWords.For(text);
            var expected = UrgencyReading.Of(text);
            Assert.Equal(MentionLanguage.Words(text).ToArray(), Enumerable.Range(0, words.Count).Select(w => words[w].ToString()).ToArray());
            Assert.Equal(expected.Words, Enumerable.Range(0, words.AllCount).Select(w => words.All(w).ToString()).ToArray());
            Assert.Equal(expected.Marks, words.Marks);
        }
    }

    [Fact]
    public void FoldedWords_EveryCharacterOfTheFirstPlaneBetweenLetters_SameWordsAndMarksAsBothReferences()
    {
        // The ASCII table and the general path must agree with char.IsLetter, char.IsWhiteSpace and Fold for every character.
        for (var c = 0; c < 0x10000; c++)
        {
            var text = $"Ab{(char)c}cD x{(char)c} {(char)c}1 @{(char)c}x #{(char)c}";
            var words = FoldedWords.For(text);
            var expected = UrgencyReading.Of(text);
            Assert.Equal(MentionLanguage.Words(text).ToArray(), Enumerable.Range(0, words.Count).Select(w => words[w].ToString()).ToArray());
            Assert.Equal(expected.Words, Enumerable.Range(0, words.AllCount).Select(w => words.All(w).ToString()).ToArray());
            Assert.Equal(expected.Handles, Enumerable.Range(0, words.HandleCount).Select(words.Handle).ToArray());
            Assert.Equal(expected.Marks, words.Marks);
        }
    }

    [Fact]
    public void FoldedWords_LongTextAfterShortOne_EachWordLookedUpWithItsOwnHash()
    {
        // Hashes are made as the words are read, into a buffer that grows past 128 words; a stale or shifted one would miss.
        var table = new SpanLookup<int>(new Dictionary<string, int>(StringComparer.Ordinal) { ["refund"] = 1, ["charged"] = 2, ["ete"] = 3 });
        FoldedWords.For("charged");
        var text = string.Join(' ', Enumerable.Range(0, 300).Select(i => i % 3 == 0 ? "REFUND" : i % 3 == 1 ? "été" : "Charged!"));
        var words = FoldedWords.For(text);
        Assert.Equal(300, words.Count);
        for (var w = 0; w < words.Count; w++)
        {
            Assert.True(words.TryLookUp(table, w, out var value));
            Assert.Equal(w % 3 == 0 ? 1 : w % 3 == 1 ? 3 : 2, value);
        }

        Assert.False(FoldedWords.For("refunds").TryLookUp(table, 0, out _));
    }

    [Theory]
    [InlineData("@ContosoBank llevo dos semanas esperando el reembolso y nadie me responde", "es")]
    [InlineData("@ContosoBank meu pedido chegou quebrado e ninguém resolve", "pt")]
    [InlineData("@ContosoBank ma commande n'est jamais arrivée et personne ne répond", "fr")]
    [InlineData("@ContosoBank ich wurde doppelt belastet und warte seit Tagen", "de")]
    [InlineData("@ContosoBank I was charged twice and nobody answers", "en")]
    public void Detect_NoSourceTag_FunctionWordsDecide(string text, string language)
    {
        Assert.Equal(language, MentionLanguage.Detect(text));
        var score = Scorer.Score(new ScoringInput(text));
        Assert.Equal(language, score.Language);
        Assert.Equal("P2", score.Severity.Priority);
    }

    [Theory]
    [InlineData("es")]
    [InlineData("pt")]
    [InlineData("fr")]
    [InlineData("de")]
    public void Score_NoLicensedLexicon_SentimentNotJudgedButUrgencyWorks(string language)
    {
        var text = language switch
        {
            "es" => "@ContosoBank me cobraron dos veces y nadie responde, pésimo",
            "pt" => "@ContosoBank fui cobrado duas vezes e ninguém responde, péssimo",
            "fr" => "@ContosoBank débité deux fois et personne ne répond, inadmissible",
            _ => "@ContosoBank doppelt belastet und niemand antwortet, unverschämt",
        };
        var score = Scorer.Score(new ScoringInput(text, language));
        Assert.False(score.Sentiment.IsJudged);
        Assert.Contains(score.Reasons, r => r.Text == "sentiment not judged: not English");
        Assert.True(score.NeedsAttention, $"urgency {score.Urgency}");
        Assert.Contains(score.Reasons, r => r.Signal == "complaint" && r.Points > 0);
    }

    [Fact]
    public void Fold_AccentsAndCase_MatchTheListsWrittenWithout()
    {
        Assert.Equal("reclamacao nao ninguem arger", MentionLanguage.FoldWord("Reclamação NÃO ninguém Ärger"));
        var withAccents = Scorer.Score(new ScoringInput("@ContosoBank péssimo atendimento, ninguém resolve", "pt"));
        var without = Scorer.Score(new ScoringInput("@ContosoBank pessimo atendimento, ninguem resolve", "pt"));
        Assert.Equal(without.Urgency, withAccents.Urgency);
    }

    private static void AssertScored(string text, string language, string tier, string priority)
    {
        foreach (var tag in new[] { language, null })
        {
            var score = Scorer.Score(new ScoringInput(text, tag));
            if (tier == "negated")
            {
                // A crisis term with its language's negation before it does not make a P1.
                Assert.NotEqual("P1", score.Severity.Priority);
                Assert.Equal(language, score.Language);
                continue;
            }

            Assert.True(score.Severity.Tier == tier && score.Severity.Priority == priority,
                $"tag {tag ?? "none"}: expected {tier} {priority}, got {score.Severity} (language {score.Language}, urgency {score.Urgency})");
            Assert.Equal(language, score.Language);
            Assert.Equal(score.Urgency, score.Reasons.Sum(r => r.Points));
        }
    }

    /// <summary>Urgency's own reading before it shared <see cref="FoldedWords"/>, kept as the reference its words and marks are held to.</summary>
    private static class UrgencyReading
    {
        public static (string[] Words, (int Start, int Length)[] Handles, TextMarks Marks) Of(string text)
        {
            var words = new List<string>();
            var handles = new List<(int, int)>();
            var marks = default(TextMarks);
            var i = 0;
            var firstToken = true;
            while (i < text.Length)
            {
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                if (i == start)
                {
                    break;
                }

                var token = text[start..i];
                var isFirst = firstToken;
                firstToken = false;
                if (token.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || token.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                    || token.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
                {
                    marks.HasLink = true;
                    continue;
                }

                if (token.Length > 1 && token[0] == '@' && (char.IsLetterOrDigit(token[1]) || token[1] == '_'))
                {
                    marks.HasHandle = true;
                    marks.StartsWithHandle |= isFirst;
                    var end = 1;
                    while (end < token.Length && (char.IsLetterOrDigit(token[end]) || token[end] == '_'))
                    {
                        end++;
                    }

                    handles.Add((start, end));
                    token = token[end..];
                }

                var wordStart = -1;
                for (var k = 0; k <= token.Length; k++)
                {
                    var c = k < token.Length ? token[k] : ' ';
                    if (char.IsLetter(c) || c is '\'' or '\u2019')
                    {
                        wordStart = wordStart < 0 ? k : wordStart;
                        continue;
                    }

                    if (wordStart >= 0)
                    {
                        words.Add(MentionLanguage.FoldWord(token.AsSpan(wordStart, k - wordStart)));
                        wordStart = -1;
                    }

                    marks.HasQuestion |= c == '?';
                    marks.HasExclamation |= c == '!';
                    marks.Hashtags += c == '#' && k + 1 < token.Length && char.IsLetterOrDigit(token[k + 1]) ? 1 : 0;
                    marks.HasNumber |= char.IsAsciiDigit(c);
                }
            }

            return ([.. words], [.. handles], marks);
        }
    }
}
