namespace SocialHandoff.Core.Scoring.Sentiment;

/// <summary>
/// The constants and word lists of VADER (Hutto &amp; Gilbert, ICWSM 2014; vaderSentiment 3.3.2, MIT),
/// kept as published so the scorer's behaviour can be compared with the reference implementation.
/// </summary>
internal static class VaderRules
{
    /// <summary>Empirically derived increment of a booster word (VADER paper, section 3.3).</summary>
    public const double BoosterIncrement = 0.293;

    /// <summary>Decrement of a dampener word.</summary>
    public const double DampenerDecrement = -0.293;

    /// <summary>Extra valence of an ALL-CAPS word in a text that is not all caps.</summary>
    public const double CapsIncrement = 0.733;

    /// <summary>Scalar applied to a negated valence: a negation flips and weakens.</summary>
    public const double NegationScalar = -0.74;

    /// <summary>Normalisation constant that maps the valence sum into (-1, 1).</summary>
    public const double NormalizationAlpha = 15;

    public static readonly string[] Negations =
    [
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
        "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
        "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
        "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
        "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
        "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
        "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
        "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
    ];

    public static readonly (string Word, double Value)[] Boosters =
    [
        ("absolutely", BoosterIncrement), ("amazingly", BoosterIncrement), ("awfully", BoosterIncrement),
        ("completely", BoosterIncrement), ("considerable", BoosterIncrement), ("considerably", BoosterIncrement),
        ("decidedly", BoosterIncrement), ("deeply", BoosterIncrement), ("effing", BoosterIncrement),
        ("enormous", BoosterIncrement), ("enormously", BoosterIncrement), ("entirely", BoosterIncrement),
        ("especially", BoosterIncrement), ("exceptional", BoosterIncrement), ("exceptionally", BoosterIncrement),
        ("extreme", BoosterIncrement), ("extremely", BoosterIncrement), ("fabulously", BoosterIncrement),
        ("flipping", BoosterIncrement), ("flippin", BoosterIncrement), ("frackin", BoosterIncrement),
        ("fracking", BoosterIncrement), ("fricking", BoosterIncrement), ("frickin", BoosterIncrement),
        ("frigging", BoosterIncrement), ("friggin", BoosterIncrement), ("fully", BoosterIncrement),
        ("fuckin", BoosterIncrement), ("fucking", BoosterIncrement), ("fuggin", BoosterIncrement),
        ("fugging", BoosterIncrement), ("greatly", BoosterIncrement), ("hella", BoosterIncrement),
        ("highly", BoosterIncrement), ("hugely", BoosterIncrement), ("incredible", BoosterIncrement),
        ("incredibly", BoosterIncrement), ("intensely", BoosterIncrement), ("major", BoosterIncrement),
        ("majorly", BoosterIncrement), ("more", BoosterIncrement), ("most", BoosterIncrement),
        ("particularly", BoosterIncrement), ("purely", BoosterIncrement), ("quite", BoosterIncrement),
        ("really", BoosterIncrement), ("remarkably", BoosterIncrement), ("so", BoosterIncrement),
        ("substantially", BoosterIncrement), ("thoroughly", BoosterIncrement), ("total", BoosterIncrement),
        ("totally", BoosterIncrement), ("tremendous", BoosterIncrement), ("tremendously", BoosterIncrement),
        ("uber", BoosterIncrement), ("unbelievably", BoosterIncrement), ("unusually", BoosterIncrement),
        ("utter", BoosterIncrement), ("utterly", BoosterIncrement), ("very", BoosterIncrement),
        ("almost", DampenerDecrement), ("barely", DampenerDecrement), ("hardly", DampenerDecrement),
        ("just enough", DampenerDecrement), ("kind of", DampenerDecrement), ("kinda", DampenerDecrement),
        ("kindof", DampenerDecrement), ("kind-of", DampenerDecrement), ("less", DampenerDecrement),
        ("little", DampenerDecrement), ("marginal", DampenerDecrement), ("marginally", DampenerDecrement),
        ("occasional", DampenerDecrement), ("occasionally", DampenerDecrement), ("partly", DampenerDecrement),
        ("scarce", DampenerDecrement), ("scarcely", DampenerDecrement), ("slight", DampenerDecrement),
        ("slightly", DampenerDecrement), ("somewhat", DampenerDecrement), ("sort of", DampenerDecrement),
        ("sorta", DampenerDecrement), ("sortof", DampenerDecrement), ("sort-of", DampenerDecrement),
    ];

    /// <summary>
    /// Multi-word expressions whose valence replaces that of their words: VADER's special cases and
    /// its sentiment-laden idioms (the published code lists the idioms but never applies them).
    /// </summary>
    public static readonly (string Phrase, double Value)[] Phrases =
    [
        ("the shit", 3), ("the bomb", 3), ("bad ass", 1.5), ("badass", 1.5), ("bus stop", 0.0),
        ("yeah right", -2), ("kiss of death", -1.5), ("to die for", 3), ("beating heart", 3.1),
        ("broken heart", -2.9),
        ("cut the mustard", 2), ("hand to mouth", -2), ("back handed", -2), ("blow smoke", -2),
        ("blowing smoke", -2), ("upper hand", 1), ("break a leg", 2), ("cooking with gas", 2),
        ("in the black", 2), ("in the red", -2), ("on the ball", 2), ("under the weather", -2),
    ];
}
