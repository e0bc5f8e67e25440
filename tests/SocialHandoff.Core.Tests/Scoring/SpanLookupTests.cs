using System.Runtime.Intrinsics;
using SocialHandoff.Core.Scoring;

namespace SocialHandoff.Core.Tests.Scoring;

/// <summary>The word tables' look-up and the hash the word readers make as they read.</summary>
public sealed class SpanLookupTests
{
    [Fact]
    public void HashInPadded_KeysOfEveryLengthAnywhereInTheBuffer_SameHashAndFirstBlockAsHash()
    {
        // The vector loads read past the key: characters there, stale or not, must not reach the hash.
        var random = new Random(16);
        var buffer = new char[200];
        for (var n = 0; n < 2000; n++)
        {
            for (var c = 0; c < buffer.Length; c++)
            {
                buffer[c] = (char)(random.Next(4) == 0 ? random.Next(0x80, 0x10000) : random.Next(1, 0x80));
            }

            var length = random.Next(0, 41);
            var start = random.Next(0, buffer.Length - length - 8 + 1);
            var expected = SpanLookup.Hash(buffer.AsSpan(start, length), out var expectedFirst);
            var hash = SpanLookup.HashInPadded(buffer, start, length, out var first);
            Assert.Equal(expected, hash);
            Assert.Equal(expectedFirst, first);
        }
    }

    [Theory]
    [InlineData(0, 0, 7)]
    [InlineData(10, 5, 14)]
    [InlineData(-1, 1, 64)]
    public void HashInPadded_FewerThanEightCharactersAfterTheKey_Throws(int start, int length, int bufferLength) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SpanLookup.HashInPadded(new char[bufferLength], start, length, out _));

    [Fact]
    public void TryGetValue_KeysOfEveryLength_FindsEachAndNoNearMiss()
    {
        var keys = Enumerable.Range(0, 40).Select(n => string.Concat(Enumerable.Range(0, n).Select(k => (char)('a' + ((n + k) % 26))))).ToArray();
        var table = new SpanLookup<int>(keys.Select((key, index) => (key, index)).ToDictionary(p => p.key, p => p.index, StringComparer.Ordinal));
        for (var index = 0; index < keys.Length; index++)
        {
            Assert.True(table.TryGetValue(keys[index], out var value));
            Assert.Equal(index, value);
            Assert.False(table.TryGetValue(keys[index] + "x", out _));
            Assert.False(index > 0 && table.TryGetValue(keys[index][..^1] + "é", out _));
        }
    }

    [Fact]
    public void TryGetValue_LongKeysSharingTheirFirstEight_EachFoundByItsOwnTail()
    {
        // An entry holds only its key's first 8 characters: the rest, in the shared array, must be its own.
        var keys = new[] { "customer", "customers", "customerservice", "customerservices", "customerserviced", "customeré", "customerXservice" };
        var table = new SpanLookup<int>(keys.Select((key, index) => (key, index)).ToDictionary(p => p.key, p => p.index, StringComparer.Ordinal));
        for (var index = 0; index < keys.Length; index++)
        {
            Assert.True(table.TryGetValue(keys[index], out var value));
            Assert.Equal(index, value);
        }

        foreach (var missing in new[] { "customerservic", "customerservicf", "customerse", "customerYservice", "customerservicess", "custome" })
        {
            Assert.False(table.TryGetValue(missing, out _));
        }
    }

    [Fact]
    public void TryGetValue_EmptyKeyStoredBeforeOthers_Found()
    {
        // Regression: an empty key had no block of its own, so it was compared with the next key's characters.
        var table = new SpanLookup<int>(new Dictionary<string, int>(StringComparer.Ordinal) { [""] = 1, ["refund"] = 2 });
        Assert.True(table.TryGetValue("", out var value));
        Assert.Equal(1, value);
        Assert.True(table.TryGetValue("refund", out value));
        Assert.Equal(2, value);
    }

    [Fact]
    public void TryGetValue_HashFromTheReaders_SameAnswerAsTheSpanItself()
    {
        var table = new SpanLookup<int>(new Dictionary<string, int>(StringComparer.Ordinal) { ["refund"] = 1, ["customerservice"] = 2 });
        var buffer = "xx customerservice refund refunds".ToCharArray().Concat(new char[8]).ToArray();
        foreach (var (start, length, expected) in new[] { (3, 15, 2), (19, 6, 1), (26, 7, 0) })
        {
            var hash = SpanLookup.HashInPadded(buffer, start, length, out var first);
            Assert.Equal(expected != 0, table.TryGetValue(buffer.AsSpan(start, length), hash, first, out var value));
            Assert.Equal(expected, value);
        }

        Assert.Equal(Vector128<ushort>.Zero, Hashed("", out _));
    }

    private static Vector128<ushort> Hashed(string key, out uint hash)
    {
        hash = SpanLookup.HashInPadded((key + new string('\0', 8)).ToCharArray(), 0, key.Length, out var first);
        return first;
    }
}
