using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SocialHandoff.Core.Scoring;

namespace SocialHandoff.Core.Spam;

/// <summary>What the classifier reads of a mention.</summary>
/// <param name="Text">The mention's text.</param>
/// <param name="Followers">The author's followers, when the source gives them.</param>
/// <param name="AccountCreatedAt">When the author's account was made, when the source gives it.</param>
/// <param name="PostedAt">When the mention was posted (account age is measured to it, not to now).</param>
/// <param name="IdenticalPosts">Posts of this author with this text seen so far, this one included (1 when not counted).</param>
/// <param name="Complaint">How the mention reads as a complaint, when it does (<see cref="SpamClassifier.ComplaintIn"/>).</param>
public sealed record SpamInput(
    string Text, long? Followers, DateTimeOffset? AccountCreatedAt, DateTimeOffset PostedAt, int IdenticalPosts = 1, ComplaintReading? Complaint = null);

/// <summary>
/// How a mention reads as a complaint. <paramref name="Named"/>: a problem, a frustration, a safety or
/// legal risk is named ("complaint: 'charged twice'"): never spam. Otherwise (complaint tier from the
/// score alone, or a billing or delay word) the shape of a post (links, handles, hashtags), the
/// account's age and repetition cannot make it spam; only promotion phrases can, more of them than
/// the threshold (three at the default).
/// </summary>
public sealed record ComplaintReading(bool Named, string Why);

/// <summary>The verdict: spam or not, the points, and the reasons an agent reads ("3 links", "promo phrases: 'use code'").</summary>
public sealed record SpamVerdict(bool IsSpam, int Points, IReadOnlyList<string> Reasons)
{
    public static readonly SpamVerdict NotSpam = new(false, 0, []);
}

/// <summary>
/// Tells obvious promotion, link farms and repeated text from new accounts from real mentions. Pure:
/// the counts it needs from storage (identical posts) come in <see cref="SpamInput"/>. Each signal
/// adds points with a reason; the mention is spam at <see cref="SpamOptions.Threshold"/> points. A
/// mention that reads as a complaint is never spam, whatever links or handles it carries: losing a
/// complaint costs more than an agent skipping an advert.
/// </summary>
public sealed partial class SpamClassifier
{
    /// <summary>The promotion phrases used when <see cref="SpamOptions.PromoPhrases"/> is empty.</summary>
    public static readonly IReadOnlyList<string> DefaultPromoPhrases =
    [
        "use code", "use my code", "promo code", "discount code", "coupon code", "dm me", "dm for", "dm us for", "click the link", "link in bio",
        "free gift", "gift card", "gift cards", "giveaway", "crypto", "airdrop", "send 0.1", "double your", "earn £", "earn $", "earn €",
        "a day from home", "work from home", "no experience needed", "follow for follow", "follow back", "followback", "#followback", "f4f",
        "#ad", "#sponsored", "limited offer", "limited time offer", "buy now", "order now", "100% free", "guaranteed", "cheap", "deals at",
        "best prices", "investment opportunity", "whatsapp me", "check my profile", "check out my", "make money",
    ];

    /// <summary>Severity tiers that are not complaints or named risks (see SeverityClassifier).</summary>
    private static readonly HashSet<string> NotComplaintTiers = new(["request", "praise", "promotion", "other"], StringComparer.Ordinal);

    private readonly SpamOptions _options;
    private readonly string[] _phrases;

    public SpamClassifier(SpamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _phrases = [.. (options.PromoPhrases.Count > 0 ? options.PromoPhrases : DefaultPromoPhrases)
            .Select(p => p.Trim().ToLowerInvariant()).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    public SpamOptions Options => _options;

    /// <summary>Urgency reason labels that name a problem (cue groups complaint-phrases, problem, anger, access, crisis, risk).</summary>
    private static readonly string[] NamedComplaintLabels = ["complaint:", "problem:", "frustration:", "access problem:", "safety term:", "legal or security risk:"];

    /// <summary>
    /// How a scored mention reads as a complaint, or null. Named: a named-risk severity tier (safety,
    /// outage...) or a reason naming a problem; otherwise a complaint tier or any other complaint cue
    /// (the learned word evidence alone does not count: adverts share words with complaints).
    /// </summary>
    public static ComplaintReading? ComplaintIn(MentionScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        if (!NotComplaintTiers.Contains(score.Severity.Tier) && score.Severity.Tier is not ("complaint" or "complaint-with-reach"))
        {
            return new ComplaintReading(true, score.Severity.Reason);
        }

        var named = score.Reasons.FirstOrDefault(r => r.Points > 0 && (r.Signal == "crisis" || NamedComplaintLabels.Any(l => r.Text.StartsWith(l, StringComparison.Ordinal))));
        if (named is not null)
        {
            return new ComplaintReading(true, named.Text);
        }

        if (score.Severity.Tier is "complaint" or "complaint-with-reach")
        {
            return new ComplaintReading(false, score.Severity.Reason);
        }

        var cue = score.Reasons.FirstOrDefault(r => r.Points > 0 && r.Signal == "complaint" && !r.Text.StartsWith("words common in complaints", StringComparison.Ordinal));
        if (cue is not null)
        {
            return new ComplaintReading(false, cue.Text);
        }

        // The complaint score alone, with a negative tone ("my card was blocked and nobody answers").
        return score.NeedsAttention && score.Sentiment.IsJudged && score.Sentiment.Compound <= -0.05
            ? new ComplaintReading(false, $"urgency {score.Urgency}, negative ({score.Sentiment.Compound:+0.00;-0.00})")
            : null;
    }

    /// <summary>Whether the author is one whose identical posts are worth counting (storage is asked only then): a new account, or one of unknown age with few followers.</summary>
    public bool WatchesRepetition(long? followers, DateTimeOffset? accountCreatedAt, DateTimeOffset postedAt) =>
        accountCreatedAt is { } created
            ? (postedAt - created).TotalDays < _options.NewAccountDays
            : (followers ?? 0) < _options.LowReachFollowers;

    public SpamVerdict Classify(SpamInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Complaint is { Named: true })
        {
            return SpamVerdict.NotSpam;
        }

        // A complaint may carry links, handles and hashtags, and an upset customer repeats it: only promotion it says counts against it.
        var shape = input.Complaint is null;

        var text = input.Text ?? "";
        var lower = text.ToLowerInvariant();
        var reasons = new List<string>();
        var points = 0;

        var phrases = _phrases.Where(p => ContainsPhrase(lower, p)).Take(6).ToList();
        if (phrases.Count > 0)
        {
            points += Math.Min(2, phrases.Count);
            reasons.Add((phrases.Count == 1 ? "promo phrase: " : "promo phrases: ") + string.Join(", ", phrases.Take(3).Select(p => $"'{p}'")));
        }

        if (!shape)
        {
            // "Your promo code didn't work, DM me": a complaint may use two such words; an advert dressed as one uses more.
            reasons.Add($"reads as a complaint ({input.Complaint!.Why}): only promotion counts");
            return new SpamVerdict(phrases.Count > _options.Threshold, phrases.Count, reasons);
        }

        var links = Links().Count(text);
        if (shape && links >= _options.LinkFarmLinks)
        {
            points += 2;
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{links} links"));
        }

        if (shape && WrittenOutLink().Match(text) is { Success: true } spelled)
        {
            points += 1;
            reasons.Add($"link written out: '{spelled.Value}'");
        }

        if (shape && Handles().Matches(text).GroupBy(m => m.Value.ToLowerInvariant()).MaxBy(g => g.Count()) is { } handle && handle.Count() >= _options.RepeatedHandle)
        {
            points += 1;
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{handle.First().Value} {handle.Count()} times"));
        }

        var hashtags = Hashtags().Count(text);
        if (shape && hashtags >= _options.MaxHashtags)
        {
            points += 1;
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{hashtags} hashtags"));
        }

        var ageDays = input.AccountCreatedAt is { } created ? Math.Max(0, (int)(input.PostedAt - created).TotalDays) : (int?)null;
        var isNew = ageDays < _options.NewAccountDays;
        if (shape && input.IdenticalPosts >= _options.IdenticalPosts && (isNew || (ageDays is null && (input.Followers ?? 0) < _options.LowReachFollowers)))
        {
            points += 2;
            reasons.Add(ageDays is { } age
                ? string.Create(CultureInfo.InvariantCulture, $"account {Days(age)} old with {input.IdenticalPosts} identical posts")
                : string.Create(CultureInfo.InvariantCulture, $"{input.IdenticalPosts} identical posts from an account with {input.Followers ?? 0} followers"));
        }
        else if (shape && isNew && ageDays is { } age)
        {
            points += 1;
            reasons.Add($"account {Days(age)} old");
        }

        return new SpamVerdict(points >= _options.Threshold, points, reasons);
    }

    /// <summary>
    /// The text as repetition is judged: lower case, links dropped, digit runs as one 0, anything
    /// but letters and digits as a space; hashed so a storage key stays short. Bots vary the link and
    /// the number, not the words.
    /// </summary>
    public static string Fingerprint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var plain = Links().Replace(text.ToLowerInvariant(), " ");
        var builder = new StringBuilder(plain.Length);
        var space = true;
        for (var i = 0; i < plain.Length; i++)
        {
            var c = plain[i];
            if (char.IsDigit(c))
            {
                if (i == 0 || !char.IsDigit(plain[i - 1]))
                {
                    builder.Append('0');
                }

                space = false;
            }
            else if (char.IsLetter(c))
            {
                builder.Append(c);
                space = false;
            }
            else if (!space)
            {
                builder.Append(' ');
                space = true;
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString().Trim())))[..32];
    }

    private static string Days(int days) => days == 1 ? "1 day" : string.Create(CultureInfo.InvariantCulture, $"{days} days");

    /// <summary>Whole words: a letter or digit at a phrase's edge may not continue into the text around it ("ad" is not in "read").</summary>
    private static bool ContainsPhrase(string text, string phrase)
    {
        for (var at = text.IndexOf(phrase, StringComparison.Ordinal); at >= 0; at = text.IndexOf(phrase, at + 1, StringComparison.Ordinal))
        {
            var end = at + phrase.Length;
            var startOk = !char.IsLetterOrDigit(phrase[0]) || at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var endOk = !char.IsLetterOrDigit(phrase[^1]) || end == text.Length || !char.IsLetterOrDigit(text[end]);
            if (startOk && endOk)
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"\bhttps?://\S+|\bwww\.\S+|\b[a-z0-9-]+\.(?:com|net|org|biz|info|xyz|top|shop|click|io|co|ly|store|online|site|link|win|vip)\b(?:/\S*)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Links();

    [GeneratedRegex(@"\b[a-z0-9-]+\s*(?:\bdot\b|\[dot\]|\(dot\))\s*(?:com|net|org|biz|info|xyz|top|shop|click|io|co|store|online|site|link|win|vip)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WrittenOutLink();

    [GeneratedRegex(@"(?<![\w@])@\w{1,50}", RegexOptions.CultureInvariant)]
    private static partial Regex Handles();

    [GeneratedRegex(@"(?<![\w#])#\w+", RegexOptions.CultureInvariant)]
    private static partial Regex Hashtags();
}
