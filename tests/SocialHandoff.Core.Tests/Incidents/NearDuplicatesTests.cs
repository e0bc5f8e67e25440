using SocialHandoff.Core.Incidents;

namespace SocialHandoff.Core.Tests.Incidents;

public sealed class NearDuplicatesTests
{
    private const double Threshold = 0.6;

    private const string Complaint = "@NorthwindCafe I was charged twice for my oat latte order #4821 and nobody answers the chat. I want a refund today.";

    public static TheoryData<string, string> SameComplaint() => new()
    {
        { "identical copy-paste", Complaint },
        { "another @handle added", "@bob_k @NorthwindCafe I was charged twice for my oat latte order #4821 and nobody answers the chat. I want a refund today." },
        { "the brand's handle left out", "I was charged twice for my oat latte order #4821 and nobody answers the chat. I want a refund today." },
        { "a link appended", Complaint + " https://t.co/AbC123xyz" },
        { "a different number", "@NorthwindCafe I was charged twice for my oat latte order #9907 and nobody answers the chat. I want a refund today." },
        { "emoji", "@NorthwindCafe 😡😡 I was charged twice for my oat latte order #4821 and nobody answers the chat. I want a refund today!! 💸" },
        { "case", "@NORTHWINDCAFE I WAS CHARGED TWICE FOR MY OAT LATTE ORDER #4821 AND NOBODY ANSWERS THE CHAT. I WANT A REFUND TODAY." },
        { "punctuation", "@NorthwindCafe i was charged twice for my oat latte order 4821 and nobody answers the chat i want a refund today" },
        { "a word added", "@NorthwindCafe I was charged twice for my oat latte order #4821 and nobody ever answers the chat. I want a refund today." },
        { "a word removed", "@NorthwindCafe I was charged twice for my oat latte order #4821 and nobody answers the chat. I want a refund." },
        { "a word added and another removed", "@NorthwindCafe I was charged twice for my oat latte order #4821 and nobody answers the live chat. I want a refund." },
        { "a repost", "RT @angry_dave: " + Complaint },
        { "a quote with a comment", "This is exactly what happened to me last week, shocking. " + Complaint },
        { "a hashtag", Complaint + " #NorthwindFail" },
        { "curly apostrophes and fullwidth digits", "@NorthwindCafe I was charged twice for my oat latte order #４８２１ and nobody answers the chat. I want a refund today." },
    };

    public static TheoryData<string, string> DifferentComplaints() => new()
    {
        { "same product, different problem", "@NorthwindCafe my oat latte order arrived cold and the driver was rude about it" },
        { "same words, different complaint", "@NorthwindCafe the chat says my refund for order #4821 was sent but I was never charged for the latte in the first place?" },
        { "same product, a question", "@NorthwindCafe is the oat latte available in the airport store?" },
        { "praise of the same order", "@NorthwindCafe thanks for sorting my oat latte order so quickly, the chat team were great" },
        { "another complaint about refunds", "Still no refund from @NorthwindCafe for the breakfast wrap I returned on Monday. That's 12 days now." },
        { "the same words about another product", "@NorthwindCafe I was charged twice for my flat white order #4821 and nobody answers the chat. I want a refund today." },
        { "one word replaced", "@NorthwindCafe I was charged twice for my oat latte order #4821 and nobody answers the phone. I want a refund today." },
    };

    [Theory]
    [MemberData(nameof(SameComplaint))]
    public void AreNearDuplicates_SameComplaintWithSmallChanges_True(string kind, string copy)
    {
        var comparison = NearDuplicates.Compare(NearDuplicates.Normalize(copy), NearDuplicates.Normalize(Complaint));

        Assert.True(NearDuplicates.IsNearDuplicate(comparison, Threshold), $"{kind}: {comparison}");
    }

    [Fact]
    public void AreNearDuplicates_CopiesEditedInDifferentWays_AlsoCopiesOfEachOther()
    {
        // Whichever copy arrives first leads the incident and the others are judged against it.
        var copies = SameComplaint().Select(row => NearDuplicates.Normalize((string)row[1])).ToList();

        var apart = from a in copies from b in copies where !NearDuplicates.AreNearDuplicates(a, b, Threshold) select $"'{a}' / '{b}'";

        Assert.Empty(apart);
    }

    [Theory]
    [MemberData(nameof(DifferentComplaints))]
    public void AreNearDuplicates_DifferentComplaintSharingWords_False(string kind, string other)
    {
        var comparison = NearDuplicates.Compare(NearDuplicates.Normalize(other), NearDuplicates.Normalize(Complaint));

        Assert.False(NearDuplicates.IsNearDuplicate(comparison, Threshold), $"{kind}: {comparison}");
    }

    [Theory]
    [InlineData("The savings account arrived broken and the courier just left it in the rain. @ContosoBank what now?", "The debit card arrived broken and the courier just left it in the rain. @ContosoBank what now?")]
    [InlineData("@acme my order arrived cold and nobody answers", "@acme my order arrived late and nobody answers")]
    [InlineData("Queue out the door at the Kingsway branch and only one person serving. @ContosoBank sort your staffing out", "Queue out the door at online chat and only one person serving. @ContosoBank sort your staffing out")]
    public void AreNearDuplicates_TemplateWithAnotherProductOrPlace_False(string a, string b)
    {
        Assert.False(NearDuplicates.AreNearDuplicates(NearDuplicates.Normalize(a), NearDuplicates.Normalize(b), Threshold));
    }

    [Fact]
    public void Compare_WordsAddedAtBothEnds_NoneReplaced()
    {
        var comparison = NearDuplicates.Compare("so true charged twice and no refund", "charged twice and no refund fail");

        Assert.Equal(0, comparison.Replaced);
        Assert.Equal(5.0 / 7, comparison.Coverage, 3);
    }

    [Theory]
    [MemberData(nameof(SameComplaint))]
    public void BandKeys_SameComplaintWithSmallChanges_ShareABand(string kind, string copy)
    {
        var a = NearDuplicates.BandKeys(NearDuplicates.Shingles(NearDuplicates.Normalize(Complaint)));
        var b = NearDuplicates.BandKeys(NearDuplicates.Shingles(NearDuplicates.Normalize(copy)));

        Assert.True(a.Intersect(b).Any(), $"{kind}: no band in common, so the copy would not find the incident");
    }

    [Theory]
    [InlineData("RT @someone: Charged TWICE!!! https://x.co/1 @Brand #Refund 😡", "charged twice")]
    [InlineData("Order #1,299.00 and 42 items", "order 0 and 0 items")]
    [InlineData("don't   do\tthat", "dont do that")]
    [InlineData("www.example.com/path only a link", "only a link")]
    [InlineData("my #order never came #fail #NorthwindDown https://t.co/x 😡", "my order never came")]
    [InlineData("", "")]
    [InlineData("😡😡 @brand", "")]
    public void Normalize_HandlesLinksNumbersEmojiCase_OnlyTheWordsRemain(string text, string expected)
    {
        Assert.Equal(expected, NearDuplicates.Normalize(text));
    }

    [Fact]
    public void BandKeys_SameNormalisedText_SameKeysEveryTime()
    {
        var first = NearDuplicates.BandKeys(NearDuplicates.Shingles(NearDuplicates.Normalize(Complaint)));
        var second = NearDuplicates.BandKeys(NearDuplicates.Shingles(NearDuplicates.Normalize(Complaint.ToUpperInvariant() + " 🙃")));

        Assert.Equal(NearDuplicates.Bands, first.Count);
        Assert.Equal(first, second);
        Assert.Equal(NearDuplicates.Bands, first.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void BandKeys_FixedHashes_KeysStableAcrossProcesses()
    {
        // The keys are stored: a change of hashing would split every open incident in two.
        var keys = NearDuplicates.BandKeys(NearDuplicates.Shingles("charged twice refund"));

        Assert.Equal(["00-ca893f2f47518371", "01-492d8b0633590a28"], keys.Take(2));
    }

    [Fact]
    public void AreNearDuplicates_ShortPhraseInsideLongPost_NotAQuote()
    {
        Assert.False(NearDuplicates.AreNearDuplicates(
            NearDuplicates.Normalize("no refund yet, still waiting"),
            NearDuplicates.Normalize("@NorthwindCafe I was charged twice for my oat latte, no refund yet, still waiting and the chat is closed every evening"),
            Threshold));
    }
}
