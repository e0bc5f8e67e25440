using FsCheck;
using FsCheck.Fluent;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Tests.Storage;

public sealed class StorageLimitsTests
{
    [Fact]
    public void EscapeKey_ShortValue_KeepsTheFormerEscaping()
    {
        Assert.Equal("x:a%2Fb%5Cc%23d%3Fe%25f%01", StorageNames.EscapeKey("x:a/b\\c#d?e%f\u0001"));
        Assert.Equal("plain-id_123", StorageNames.EscapeKey("plain-id_123"));
    }

    [Fact]
    public void EscapeKey_LoneSurrogates_EscapedPairsKept()
    {
        Assert.Equal("a%uD800b😀c%uDC00", StorageNames.EscapeKey("a\ud800b😀c\udc00"));
    }

    [Fact]
    public void EscapeKey_OverLongValues_FitTheLimitStayDistinctAndRepeatable()
    {
        var a = new string('7', 1_500);
        var b = new string('7', 1_499) + "8";
        var slashes = new string('/', 5_000);

        Assert.All(new[] { a, b, slashes }, v => Assert.True(StorageNames.EscapeKey(v).Length <= StorageNames.MaxKeyChars));
        Assert.NotEqual(StorageNames.EscapeKey(a), StorageNames.EscapeKey(b));
        Assert.Equal(StorageNames.EscapeKey(a), StorageNames.EscapeKey(new string('7', 1_500)));
    }

    [Fact]
    public void EscapeKey_AnyString_IsAValidTableKeyWithinTheLimit()
    {
        Prop.ForAll(HostileStrings(), value =>
        {
            var key = StorageNames.EscapeKey(value);
            return key.Length <= StorageNames.MaxKeyChars
                && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c))
                && !HasLoneSurrogate(key);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void FitsOneTransaction_BinaryColumnsPastThePayloadAsBase64_DoesNotFit()
    {
        // 50 rows of 48,000 bytes: 2.4 MB of binary, 3.2 MB as base64 in the request, past the 3 MiB budget.
        var rows = Enumerable.Range(0, 50).Select(i => new Azure.Data.Tables.TableTransactionAction(
            Azure.Data.Tables.TableTransactionActionType.UpsertReplace,
            new Azure.Data.Tables.TableEntity("p", $"r{i}") { ["Bytes"] = new byte[48_000] })).ToList();

        Assert.True(TableLimits.WorstCaseBytes((Azure.Data.Tables.ITableEntity)rows[0].Entity) >= 64_000);
        Assert.False(TableLimits.FitsOneTransaction(rows));
        Assert.True(TableLimits.FitsOneTransaction(rows[..40]));
    }

    [Fact]
    public void Cap_CutInsideASurrogatePair_EndsBeforeThePair()
    {
        var text = "ab" + "😀😀";
        Assert.Equal("ab", StoredText.Cap(text, 3, out var truncated));
        Assert.True(truncated);
        Assert.Equal(text, StoredText.Cap(text, 6, out truncated));
        Assert.False(truncated);
    }

    [Theory]
    [InlineData(40_000, 'a')]
    [InlineData(12_000, '退')]
    [InlineData(8_000, '\u0001')]
    public void SerializeCapped_LongMention_FitsAndStaysReadable(int length, char fill)
    {
        var mention = new MentionMessage(
            1, "c", "file:x", new string('i', 2_000), new MentionAuthor(null, new string('h', 5_000), null, 10, false),
            new string(fill, length), null, new MentionMetrics(null, null, null, null), null, DateTimeOffset.UnixEpoch, null);

        var json = MentionJson.SerializeCapped(mention, StoredText.MaxPropertyChars, out var truncated);

        Assert.True(json.Length <= StoredText.MaxPropertyChars);
        Assert.True(MentionJson.TryParse(json, out var back, out var why), why);
        Assert.Equal(MentionJson.Serialize(mention).Length > StoredText.MaxPropertyChars, truncated);
        Assert.StartsWith(back.Text, mention.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_NonAsciiText_BmpWrittenAsUtf8NotEscapes()
    {
        var mention = new MentionMessage(
            1, "c", "x", "1", new MentionAuthor(null, null, null, null, null), "退款 😀 <b>&", null, new MentionMetrics(null, null, null, null), null, DateTimeOffset.UnixEpoch, null);

        var json = MentionJson.Serialize(mention);

        Assert.Contains("退款", json, StringComparison.Ordinal);
        Assert.Contains("<b>&", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\"", json, StringComparison.Ordinal);
        Assert.True(MentionJson.TryParse(json, out var back, out _) && back.Text == mention.Text);
    }

    // Strings up to 1,200 characters of the kinds that break keys: forbidden characters, controls, surrogates (paired and not), any char.
    private static Arbitrary<string> HostileStrings() =>
        Gen.Choose(0, 1_200).SelectMany(length => Gen.ArrayOf(
                Gen.OneOf(Gen.Elements('/', '\\', '#', '?', '%', '\u0000', '\u007f', '\u009f', '\ud83d', '\ude00', 'a', '~'), ArbMap.Default.GeneratorFor<char>()),
                length))
            .Select(chars => new string(chars))
            .ToArbitrary();

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }
}
