using System.Text.Json;
using SocialHandoff.Local.Scoring;

namespace SocialHandoff.Core.Tests.Scoring;

public sealed class ScoreCommandTests
{
    private static async Task<JsonElement[]> RunAsync(string input)
    {
        var output = new StringWriter();
        var exit = await ScoreCommand.RunAsync([], new StringReader(input), output, CancellationToken.None);
        Assert.Equal(0, exit);
        return [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    [Fact]
    public async Task RunAsync_Mentions_PriorityTierAndReasonPointsThatAddUp()
    {
        var results = await RunAsync("""
            {"text": "@NorthwindCafe my whole family has food poisoning after the chicken wrap", "lang": "en"}
            {"text": "@ContosoBank I was charged twice and nobody answers the chat", "followers": 250000}
            @ContosoBank llevo dos semanas esperando el reembolso y nadie me responde
            Credit where it's due, @NorthwindCafe sorted my problem in 14 minutes on chat. Impressed.
            """);
        Assert.Equal(["P1", "P1", "P2", "P4"], results.Select(r => r.GetProperty("priority").GetString()));
        Assert.Equal(["health", "complaint-with-reach", "complaint", "praise"], results.Select(r => r.GetProperty("tier").GetString()));
        Assert.Equal("es", results[2].GetProperty("language").GetString());
        Assert.All(results, r => Assert.Equal(
            r.GetProperty("urgency").GetInt32(), r.GetProperty("reasonPoints").EnumerateArray().Sum(p => p.GetInt32())));
    }

    [Fact]
    public async Task RunAsync_InvalidSeveritySetting_NamesItAndScoresNothing()
    {
        using var output = new StringWriter();
        var exit = await ScoreCommand.RunAsync(["--Scoring:Severity:ComplaintPriority=P9"], new StringReader("hello\n"), output, CancellationToken.None);
        Assert.Equal(2, exit);
        Assert.Contains("Scoring:Severity:ComplaintPriority", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Scoring:Severity:ReachMinFollowers=many", "'Scoring:Severity:ReachMinFollowers'")]
    [InlineData("--Scoring:Urgency:AttentionThreshold=high", "'Scoring:Urgency:AttentionThreshold'")]
    [InlineData("--Scoring:Urgency:CueGroups:0:PointsPerMatch=lots", "'Scoring:Urgency:CueGroups:0:PointsPerMatch'")]
    [InlineData("--Scoring:Severity:NegationWindow=3.5", "'Scoring:Severity:NegationWindow'")]
    public async Task RunAsync_SettingOfTheWrongType_NamesItAndScoresNothing(string setting, string named)
    {
        // Regression: the binder's conversion error went out as an unhandled exception (stack trace, exit 134).
        using var output = new StringWriter();
        var exit = await ScoreCommand.RunAsync([setting], new StringReader("hello\n"), output, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains(named, output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"line\"", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Outage")]
    [InlineData("OUTAGE")]
    public async Task RunAsync_TierOverriddenInAnotherCase_ItsValuesUsedUnderTheShippedName(string name)
    {
        // Regression: "Outage" was a new tier without terms beside the shipped "outage", and the command exited 2.
        using var output = new StringWriter();
        var exit = await ScoreCommand.RunAsync([$"--Scoring:Severity:Tiers:{name}:Priority=P3"], new StringReader("@LitwareNet massive outage in Leeds, no broadband since 8am\n"), output, CancellationToken.None);

        Assert.Equal(0, exit);
        var answer = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.Equal(("outage", "P3"), (answer.GetProperty("tier").GetString(), answer.GetProperty("priority").GetString()));
    }

    [Fact]
    public async Task RunAsync_PlainAndJsonLines_OneResultEach()
    {
        var results = await RunAsync("""
            terrible service
            {"text":"got food poisoning","lang":"en","followers":120000,"verified":true,"likes":3,"reposts":1}
            """);
        Assert.Equal(2, results.Length);
        Assert.Equal("negative", results[0].GetProperty("label").GetString());
        Assert.True(results[0].GetProperty("compound").GetDouble() < -0.4);
        var reasons = results[1].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ToArray();
        Assert.Contains("safety term: 'food poisoning'", reasons);
        Assert.Contains("reach: 120k followers", reasons);
        Assert.InRange(results[1].GetProperty("urgency").GetInt32(), 80, 100);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("{\"lang\":\"en\"}", "no string field 'text'")]
    [InlineData("{\"text\":\"hi\",\"followers\":-5}", "field 'followers' must be a whole number")]
    [InlineData("{\"text\":\"hi\",\"verified\":\"yes\"}", "field 'verified' must be true or false")]
    public async Task RunAsync_BadLine_ReportsItAndGoesOn(string bad, string message)
    {
        var results = await RunAsync(bad + "\nawful\n");
        Assert.Equal(2, results.Length);
        Assert.Equal(1, results[0].GetProperty("line").GetInt64());
        Assert.Contains(message, results[0].GetProperty("error").GetString());
        Assert.Equal("negative", results[1].GetProperty("label").GetString());
    }

    private static async Task<JsonElement[]> RunBytesAsync(byte[] input)
    {
        var output = new StringWriter();
        var exit = await ScoreCommand.RunAsync([], new MemoryStream(input), output, CancellationToken.None);
        Assert.Equal(0, exit);
        return [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private static byte[] Bytes(params object[] parts) =>
        [.. parts.SelectMany(p => p switch { string text => System.Text.Encoding.UTF8.GetBytes(text), byte[] raw => raw, _ => throw new ArgumentException("string or byte[]") })];

    public static TheoryData<byte[], string> HostileByteLines => new()
    {
        { Bytes(new byte[] { 0xED, 0xA0, 0x80 }, " lone surrogate as CESU-8"), "not valid UTF-8" },
        { Bytes("caf", new byte[] { 0xE9 }, " latin-1 byte"), "not valid UTF-8" },
        { Bytes(new byte[] { 0xF0, 0x9F, 0x98 }, " cut emoji"), "not valid UTF-8" },
        { Bytes(new byte[] { 0xC0, 0xAF }, " overlong"), "not valid UTF-8" },
        { Bytes(new byte[] { 0xFF, 0xFE }), "not valid UTF-8" },
        { Bytes("{\"text\":\"hi \\ud800 there\"}"), "field 'text' has a lone UTF-16 surrogate" },
        { Bytes("{\"text\":\"hi \\udc00\"}"), "field 'text' has a lone UTF-16 surrogate" },
        { Bytes("{\"text\":\"ok\",\"lang\":\"\\ud83d\"}"), "field 'lang' has a lone UTF-16 surrogate" },
        { Bytes("{\"text\":\"", new string('a', ScoreCommand.MaxLineBytes), "\"}"), "longer than 1 MiB" },
        { Bytes("{\"text\":" + new string('[', 5000)), "not valid JSON" },
        { Bytes("{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2001)), "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(HostileByteLines))]
    public async Task RunAsync_HostileLine_AnsweredWithAnErrorLineAndScoringGoesOn(byte[] hostile, string message)
    {
        var results = await RunBytesAsync(Bytes("awful service\n", hostile, "\r\nterrible, refund please\n"));

        Assert.Equal(3, results.Length);
        Assert.Equal("negative", results[0].GetProperty("label").GetString());
        Assert.Equal(2, results[1].GetProperty("line").GetInt64());
        Assert.Contains(message, results[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, results[2].GetProperty("line").GetInt64());
        Assert.Equal("negative", results[2].GetProperty("label").GetString());
    }

    [Theory]
    [InlineData("hi {0} there", 0xD800)]
    [InlineData("{0}", 0xDFFF)]
    [InlineData("ends with a high surrogate {0}", 0xD83D)]
    [InlineData("{{\"text\":\"raw {0} in JSON\"}}", 0xDC00)]
    public async Task RunAsync_DecodedLineWithLoneSurrogate_ErrorLineAndScoringGoesOn(string format, int surrogate)
    {
        // Built here: a lone surrogate in theory data does not survive the runner's serialisation.
        var line = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, (char)surrogate);

        var results = await RunAsync(line + "\nawful\n");

        Assert.Equal(2, results.Length);
        Assert.Contains("lone UTF-16 surrogate", results[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("negative", results[1].GetProperty("label").GetString());
    }

    [Fact]
    public async Task RunAsync_LineOfOneMebibyte_ScoredAndTheNextLineToo()
    {
        var big = "terrible " + new string('a', ScoreCommand.MaxLineBytes - 9);

        var results = await RunBytesAsync(Bytes(big, "\nawful\n"));

        Assert.Equal(2, results.Length);
        Assert.False(results[0].TryGetProperty("error", out _));
        Assert.Equal("negative", results[1].GetProperty("label").GetString());
    }

    [Fact]
    public async Task RunAsync_ByteStreamWithBomCrLfEmojiAndNoFinalNewline_ScoresEachLine()
    {
        var results = await RunBytesAsync(Bytes(new byte[] { 0xEF, 0xBB, 0xBF }, "awful 😡\r\n{\"text\":\"love it \\ud83d\\ude00\"}\r\n\nthanks"));

        Assert.Equal(4, results.Length);
        Assert.All(results, r => Assert.False(r.TryGetProperty("error", out _)));
        Assert.Equal("negative", results[0].GetProperty("label").GetString());
        Assert.Equal("positive", results[1].GetProperty("label").GetString());
    }

    [Fact]
    public async Task RunAsync_TextItCannotJudge_SaysWhy()
    {
        var results = await RunAsync("{\"text\":\"muy malo\",\"lang\":\"es\"}\n");
        Assert.Equal("unknown", results[0].GetProperty("label").GetString());
        Assert.Equal("not English", results[0].GetProperty("notJudged").GetString());
    }

    [Fact]
    public async Task RunAsync_ThousandsOfLinesAcrossReadBuffersAndThreads_OneAnswerPerLineInOrder()
    {
        // Far more than one 64 KiB read and one output buffer: lines cross read boundaries and are scored in parallel parts.
        string[] texts = ["@ContosoBank charged twice for order 58 and nobody answers the chat, I want a refund today", "love the new menu!", "{\"text\":\"food poisoning after the wrap\",\"followers\":120000}", "not json {", "meh"];
        var lines = Enumerable.Range(0, 6000).Select(i => texts[i % texts.Length] + (i % 7 == 0 && i % texts.Length != 2 ? " " + new string('x', i % 300) : "")).ToArray();
        var scorer = ScoreCommand.CreateScorer([]);

        var results = await RunBytesAsync(Bytes(string.Join("\n", lines) + "\n"));

        Assert.Equal(lines.Length, results.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.Equal(i + 1, results[i].GetProperty("line").GetInt64());
            var expected = scorer.Score(new Core.Scoring.ScoringInput(lines[i].StartsWith('{') ? JsonDocument.Parse(lines[i]).RootElement.GetProperty("text").GetString() : lines[i], Followers: lines[i].StartsWith('{') ? 120000 : null));
            Assert.Equal(expected.Urgency, results[i].GetProperty("urgency").GetInt32());
            Assert.Equal(expected.Severity.Reason, results[i].GetProperty("severity").GetString());
            Assert.Equal(expected.Reasons.Select(r => r.Text), results[i].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        }
    }

    [Theory]
    [InlineData("{\"text\":\"love it\",\"text\":\"charged twice and no refund\"}", "charged twice and no refund")]
    [InlineData("{\"text\":\"charged twice and no refund\",\"followers\":-5,\"followers\":3}", "charged twice and no refund")]
    [InlineData("{\"te\\u0078t\":\"charged twice and no refund\",\"other\":{\"a\":[1,{\"b\":null}]}}", "charged twice and no refund")]
    public async Task RunAsync_JsonFieldRepeatedEscapedOrBesideUnknownOnes_ReadAsAJsonDocumentWould(string line, string text)
    {
        var results = await RunBytesAsync(Bytes(line + "\n" + text + "\n"));

        Assert.False(results[0].TryGetProperty("error", out _));
        Assert.Equal(results[1].GetProperty("urgency").GetInt32(), results[0].GetProperty("urgency").GetInt32());
        Assert.Equal(results[1].GetProperty("compound").GetDouble(), results[0].GetProperty("compound").GetDouble());
    }

    [Theory]
    [InlineData("{\"text\":\"ok\"} trailing", "not valid JSON")]
    [InlineData("{\"text\":\"ok\"}{\"text\":\"again\"}", "not valid JSON")]
    [InlineData("{\"text\":\"ok\",\"verified\":true,\"verified\":\"no\"}", "field 'verified' must be true or false")]
    [InlineData("{\"text\":\"ok\",\"likes\":1.5}", "field 'likes' must be a whole number")]
    [InlineData("{\"text\":\"ok\",\"lang\":5}", "field 'lang' must be a string")]
    [InlineData("{\"text\":123}", "no string field 'text'")]
    public async Task RunAsync_JsonLineWithExtraValueOrLastFieldWrong_ErrorLineAndScoringGoesOn(string line, string message)
    {
        var results = await RunBytesAsync(Bytes(line + "\nawful\n"));

        Assert.Contains(message, results[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("negative", results[1].GetProperty("label").GetString());
    }

    // Through a real pipe, written in pieces of 1 byte to just over a read, so lines, CRLFs and UTF-8
    // sequences are cut anywhere between reads and chunks; the answers are those of one whole read.
    private static async Task<byte[]> RunThroughPipeAsync(byte[] input, int seed)
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var readEnd = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, pipe.ClientSafePipeHandle);
        using var output = new MemoryStream();
        var run = ScoreCommand.RunAsync([], readEnd, output, CancellationToken.None);
        try
        {
            var random = new Random(seed);
            int[] sizes = [1, 2, 3, 5, 64, 1000, LinePipeline.ChunkBytes - 1, LinePipeline.ChunkBytes + 1, 200_000];
            for (var at = 0; at < input.Length;)
            {
                var size = Math.Min(sizes[random.Next(sizes.Length)], input.Length - at);
                await pipe.WriteAsync(input.AsMemory(at, size));
                at += size;
            }
        }
        finally
        {
            // The end of input; closing the reading end first would wait for the reader thread's read.
            pipe.Dispose();
        }

        Assert.Equal(0, await run);
        return output.ToArray();
    }

    private static async Task<byte[]> RunInOneReadAsync(byte[] input)
    {
        using var output = new MemoryStream();
        Assert.Equal(0, await ScoreCommand.RunAsync([], new MemoryStream(input), output, CancellationToken.None));
        return output.ToArray();
    }

    private static JsonElement[] Answers(byte[] output) =>
        [.. System.Text.Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RunAsync_InputInPiecesOverManyChunks_SameBytesAsOneReadAndInOrder(int seed)
    {
        // About 1.5 MB: more chunks than the ring has slots, each worker many times; bad and long lines among good ones.
        string[] texts = ["@ContosoBank charged twice for order 58 and nobody answers the chat, I want a refund today", "love the new menu! 😍", "{\"text\":\"food poisoning after the wrap\",\"followers\":120000}", "not json {", "{\"text\":5}", "meh", "café ünïcödé 中文"];
        var parts = new List<object> { new byte[] { 0xEF, 0xBB, 0xBF } };
        for (var i = 0; i < 16_000; i++)
        {
            parts.Add(texts[i % texts.Length] + " " + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + (i % 3 == 0 ? "\r\n" : "\n"));
            if (i % 5000 == 17)
            {
                parts.Add(new byte[] { (byte)'o', 0xE9, (byte)'\n' });
                parts.Add(new string('a', 70_000) + " terrible\n");
            }
        }

        parts.Add("last line, no newline");
        var input = Bytes([.. parts]);

        var whole = await RunInOneReadAsync(input);
        var piecewise = await RunThroughPipeAsync(input, seed);

        Assert.Equal(whole, piecewise);
        var answers = Answers(piecewise);
        Assert.Equal(16_000 + 9, answers.Length);
        Assert.Equal(Enumerable.Range(1, answers.Length).Select(n => (long)n), answers.Select(a => a.GetProperty("line").GetInt64()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task RunAsync_RunsOfShortLinesLongerThanAChunkHolds_EveryLineAnsweredOnceInOrder(int seed)
    {
        // Blank and one-word lines: a read of them holds many times the lines a chunk takes, so chunks are cut and
        // their lines carried, also at the end of the input (the last line without its newline).
        var parts = new List<object>();
        for (var run = 0; run < 6; run++)
        {
            parts.Add(new string('\n', (LinePipeline.MaxChunkLines * 3) + run));
            parts.Add(string.Concat(Enumerable.Repeat("awful\n", LinePipeline.MaxChunkLines + 7)));
            parts.Add("{\"text\":\"love it\"}\r\n");
        }

        parts.Add(new string('\n', LinePipeline.MaxChunkLines * 2));
        parts.Add("last");
        var input = Bytes([.. parts]);

        var whole = await RunInOneReadAsync(input);
        var piecewise = await RunThroughPipeAsync(input, seed);

        Assert.Equal(whole, piecewise);
        var answers = Answers(piecewise);
        var expected = input.Count(b => b == (byte)'\n') + 1;
        Assert.Equal(Enumerable.Range(1, expected).Select(n => (long)n), answers.Select(a => a.GetProperty("line").GetInt64()));
        Assert.Equal("negative", answers[(LinePipeline.MaxChunkLines * 3) + 1].GetProperty("label").GetString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task RunAsync_LinesOverTheLimitFirstAmongAndLast_ErrorLineForEachAndTheRestScored(int seed)
    {
        var tooLong = new string('x', ScoreCommand.MaxLineBytes + 2);
        var input = Bytes(tooLong, "\nawful\n", "{\"text\":\"", tooLong, "\"}\r\n", new string('b', ScoreCommand.MaxLineBytes), "\nterrible, refund please\n", tooLong);

        var whole = await RunInOneReadAsync(input);
        var piecewise = await RunThroughPipeAsync(input, seed);

        Assert.Equal(whole, piecewise);
        var answers = Answers(piecewise);
        Assert.Equal([1L, 2, 3, 4, 5, 6], answers.Select(a => a.GetProperty("line").GetInt64()));
        Assert.Equal([true, false, true, false, false, true], answers.Select(a => a.TryGetProperty("error", out var e) && e.GetString()!.Contains("longer than 1 MiB", StringComparison.Ordinal)));
        Assert.Equal("negative", answers[1].GetProperty("label").GetString());
        Assert.Equal("negative", answers[4].GetProperty("label").GetString());
    }

    [Fact]
    public async Task RunAsync_LineTypedThenCancelled_AnsweredAtOnceThenStopsWith130()
    {
        using var input = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var inputEnd = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, input.ClientSafePipeHandle);
        using var output = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var outputEnd = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, output.ClientSafePipeHandle);
        using var answers = new StreamReader(outputEnd);
        using var cancellation = new CancellationTokenSource();
        var run = ScoreCommand.RunAsync([], inputEnd, output, cancellation.Token);
        try
        {
            await input.WriteAsync("awful\n{\"text\":\"love it\"}\n"u8.ToArray());
            var first = await answers.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var second = await answers.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await input.WriteAsync("a part line, never ended"u8.ToArray());
            await cancellation.CancelAsync();

            Assert.Equal(130, await run.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal("negative", JsonDocument.Parse(first!).RootElement.GetProperty("label").GetString());
            Assert.Equal(2, JsonDocument.Parse(second!).RootElement.GetProperty("line").GetInt64());
            output.Dispose();
            Assert.Equal("", await answers.ReadToEndAsync());
        }
        finally
        {
            // The reader thread still waits in a read: closing the writing end ends it (closing the reading end first would wait for it).
            input.Dispose();
        }
    }

    [Fact]
    public void PooledBufferWriter_GrowsPastItsCapacity_HandsOutRoomInTheNewBuffer()
    {
        // Regression: the span was once cut from the buffer it replaced, too short for what was asked.
        using var writer = new PooledBufferWriter(16);
        writer.Advance(writer.GetSpan(10).Length >= 10 ? 10 : 0);

        var span = writer.GetSpan(100_000);

        Assert.True(span.Length >= 100_000);
        writer.Truncate(4);
        Assert.Equal(4, writer.WrittenCount);
    }
}
