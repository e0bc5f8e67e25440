using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using SocialHandoff.Core.Scoring;

namespace SocialHandoff.Local.Scoring;

/// <summary>
/// <c>score</c>'s line phase on every core. One thread reads the input into chunks of whole lines;
/// worker threads (one per core) each take the next chunk and score its lines into the chunk's own
/// output buffer; the thread that calls <see cref="Run"/> writes scored chunks out in input order.
/// No thread waits for the others at a read boundary: while one chunk is scored the next is read and
/// the one before written. Chunks are the slots of a ring, so memory is bounded whatever the input's
/// length, and a slow reader of the output holds the input back. Each read that brings a line end
/// makes a chunk at once, so a person typing sees each answer as the line is in. Reading starts when
/// the pipeline is made, before the scorer exists: start-up and the first reads overlap.
/// </summary>
internal sealed class LinePipeline : IDisposable
{
    /// <summary>The most a read asks for, and so about a chunk's size: some 700 tweets, a few milliseconds of scoring.</summary>
    internal const int ChunkBytes = 64 * 1024;

    /// <summary>
    /// The most lines a chunk holds: an answer is some hundreds of bytes whatever its line's length, so a chunk of
    /// 64 KiB of blank lines would otherwise hold some 20 MB of answers, in every slot of the ring.
    /// </summary>
    internal const int MaxChunkLines = 1024;

    /// <summary>The exit code when cancellation (Ctrl+C) stopped the command before the input ended; every line read by then is answered.</summary>
    public const int InterruptedExitCode = Pipeline.RunCommand.InterruptedExitCode;

    private readonly object _gate = new();
    private readonly Stream _input;
    private readonly Chunk[] _ring;

    // Under _gate: chunks are numbered from 0 in input order; chunk n lives in _ring[n % _ring.Length].
    private long _published;
    private long _taken;
    private long _written;
    private bool _ended;
    private bool _interrupted;
    private ExceptionDispatchInfo? _failure;

    // The reader thread's own: the part line after the last line end read, and whether it is past the limit.
    private byte[] _carry = new byte[ChunkBytes];
    private int _carryLength;
    // The carry holds whole lines (a chunk was cut at MaxChunkLines), not only a part line.
    private bool _carryHasLines;
    private bool _overflow;
    private long _lines;

    private LinePipeline(Stream input, int workers)
    {
        _input = input;
        // Each worker one chunk, one more read ahead for each, and one being written.
        _ring = [.. Enumerable.Range(0, (2 * workers) + 2).Select(_ => new Chunk())];
    }

    /// <summary>Starts reading <paramref name="input"/> on a thread of its own, ahead of the workers by at most a few chunks.</summary>
    public static LinePipeline StartReading(Stream input, int workers)
    {
        var pipeline = new LinePipeline(input, workers);
        new Thread(pipeline.ReadAll) { IsBackground = true, Name = "score reader" }.Start();
        return pipeline;
    }

    /// <summary>
    /// Scores every line on <paramref name="workers"/> threads and writes the answers to
    /// <paramref name="output"/> in input order; returns when all are written (0), or when
    /// <paramref name="cancellationToken"/> stopped reading (<see cref="InterruptedExitCode"/>,
    /// after the lines already read are answered). A write that fails (a broken pipe: the reader of
    /// the output has gone) stops the reader and the workers at once, and is thrown, as an
    /// <see cref="OutputWriteException"/>, once the workers have stopped.
    /// </summary>
    public int Run(MentionScorer scorer, int workers, Stream output, CancellationToken cancellationToken)
    {
        var threads = new Thread[workers];
        for (var i = 0; i < workers; i++)
        {
            threads[i] = new Thread(() => Work(scorer)) { IsBackground = true, Name = "score worker" };
            threads[i].Start();
        }

        try
        {
            using var stop = cancellationToken.Register(static pipeline => ((LinePipeline)pipeline!).Stop(interrupted: true), this);
            for (long number = 0; NextScored(number) is { } chunk; number++)
            {
                OutputWriteException.WriteAndFlush(output, chunk.Output.WrittenMemory.Span);
                Written(chunk, number);
            }
        }
        catch (Exception ex)
        {
            Fail(ExceptionDispatchInfo.Capture(ex));
            throw;
        }
        finally
        {
            foreach (var thread in threads)
            {
                thread.Join();
            }
        }

        lock (_gate)
        {
            _failure?.Throw();
            return _interrupted ? InterruptedExitCode : 0;
        }
    }

    /// <summary>Stops reading: chunks already read are still scored and written by <see cref="Run"/>.</summary>
    public void Stop(bool interrupted = false)
    {
        lock (_gate)
        {
            _interrupted |= interrupted && !_ended;
            _ended = true;
            Monitor.PulseAll(_gate);
        }
    }

    public void Dispose()
    {
        // Called after Run has joined the workers; a reader still blocked in a read touches no output buffer.
        foreach (var chunk in _ring)
        {
            chunk.Output.Dispose();
        }
    }

    private void ReadAll()
    {
        try
        {
            for (long number = 0; NextFree(number) is { } chunk; number++)
            {
                var more = Fill(chunk);
                chunk.FirstLine = _lines + 1;
                _lines += chunk.Lines;
                if (!Published(chunk, number, more))
                {
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            Fail(ExceptionDispatchInfo.Capture(ex));
        }
    }

    /// <summary>
    /// Fills <paramref name="chunk"/> with whole lines: the part line carried over, then reads until one
    /// brings a line end. A part line past <see cref="ScoreCommand.MaxLineBytes"/> is dropped as it comes
    /// and becomes a too-long line when it ends. False when the input has ended.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Fill(Chunk chunk)
    {
        chunk.Begin(_carryLength + ChunkBytes);
        _carry.AsSpan(0, _carryLength).CopyTo(chunk.Input);
        var length = _carryLength;
        _carryLength = 0;
        if (_carryHasLines)
        {
            // The lines a cut chunk left: a chunk of them without reading (more input may not come soon).
            _carryHasLines = false;
            var whole = chunk.Input.AsSpan(0, length).LastIndexOf((byte)'\n') + 1;
            Cut(chunk, whole, length);
            return true;
        }

        while (true)
        {
            // What is held has no line end: it is one part line.
            if (!_overflow && length > ScoreCommand.MaxLineBytes + 1)
            {
                (_overflow, length) = (true, 0);
            }

            if (length == chunk.Input.Length)
            {
                chunk.Grow(length);
            }

            var read = _input.Read(chunk.Input, length, Math.Min(chunk.Input.Length - length, ChunkBytes));
            if (read == 0)
            {
                // A last line without its '\n' is still a line.
                if (_overflow)
                {
                    (chunk.LeadingTooLong, chunk.Lines, _overflow) = (true, 1, false);
                }
                else if (length > 0)
                {
                    (chunk.Length, chunk.Lines) = (length, 1);
                }

                return false;
            }

            var fresh = length;
            length += read;
            if (_overflow)
            {
                var end = chunk.Input.AsSpan(0, length).IndexOf((byte)'\n');
                if (end < 0)
                {
                    length = 0;
                    continue;
                }

                // The long line ends here: it is the chunk's first line, what follows it moves to the front.
                (chunk.LeadingTooLong, _overflow) = (true, false);
                chunk.Input.AsSpan(end + 1, length - end - 1).CopyTo(chunk.Input);
                (fresh, length) = (0, length - end - 1);
            }

            var last = chunk.Input.AsSpan(fresh, length - fresh).LastIndexOf((byte)'\n');
            if (last >= 0 || chunk.LeadingTooLong)
            {
                Cut(chunk, last >= 0 ? fresh + last + 1 : 0, length);
                return true;
            }
        }
    }

    /// <summary>
    /// Ends <paramref name="chunk"/> at the line end before <paramref name="whole"/>, or at its
    /// <see cref="MaxChunkLines"/>th line's end when it has more; what follows, up to <paramref name="length"/>, is carried.
    /// </summary>
    private void Cut(Chunk chunk, int whole, int length)
    {
        var lines = chunk.LeadingTooLong ? 1 : 0;
        var end = 0;
        while (end < whole && lines < MaxChunkLines)
        {
            end += chunk.Input.AsSpan(end, whole - end).IndexOf((byte)'\n') + 1;
            lines++;
        }

        (chunk.Length, chunk.Lines) = (end, lines);
        Carry(chunk.Input.AsSpan(end, length - end));
        _carryHasLines = end < whole;
    }

    private void Carry(ReadOnlySpan<byte> partLine)
    {
        if (partLine.Length > _carry.Length)
        {
            _carry = new byte[partLine.Length];
        }

        partLine.CopyTo(_carry);
        _carryLength = partLine.Length;
    }

    private void Work(MentionScorer scorer)
    {
        try
        {
            using var lines = new ScoreCommand.LineScorer(scorer);
            while (NextToScore() is { } chunk)
            {
                Score(lines, chunk);
                Scored(chunk);
            }
        }
        catch (Exception ex)
        {
            Fail(ExceptionDispatchInfo.Capture(ex));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Score(ScoreCommand.LineScorer lines, Chunk chunk)
    {
        lines.Output = chunk.Output;
        var number = chunk.FirstLine;
        if (chunk.LeadingTooLong)
        {
            lines.Score(number++, default, tooLong: true);
        }

        var rest = chunk.Input.AsSpan(0, chunk.Length);
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            if (end < 0)
            {
                lines.Score(number, rest, tooLong: false);
                break;
            }

            lines.Score(number++, rest[..end], tooLong: false);
            rest = rest[(end + 1)..];
        }
    }

    // The reader's next slot once the chunk that held it is written; null when reading is to stop.
    private Chunk? NextFree(long number)
    {
        lock (_gate)
        {
            while (!_ended && _failure is null && number - _written >= _ring.Length)
            {
                Monitor.Wait(_gate);
            }

            return _ended || _failure is not null ? null : _ring[number % _ring.Length];
        }
    }

    // False when reading is to stop: the input ended, or the command was stopped (the chunk is then dropped).
    private bool Published(Chunk chunk, long number, bool more)
    {
        lock (_gate)
        {
            if (_ended || _failure is not null)
            {
                return false;
            }

            if (chunk.Lines > 0)
            {
                _published = number + 1;
            }

            _ended = !more;
            Monitor.PulseAll(_gate);
            return more;
        }
    }

    private Chunk? NextToScore()
    {
        lock (_gate)
        {
            while (_failure is null && _taken == _published && !_ended)
            {
                Monitor.Wait(_gate);
            }

            return _failure is null && _taken < _published ? _ring[_taken++ % _ring.Length] : null;
        }
    }

    private void Scored(Chunk chunk)
    {
        lock (_gate)
        {
            chunk.Scored = true;
            Monitor.PulseAll(_gate);
        }
    }

    // Chunk `number` once scored; null when no chunk is left (or a thread failed).
    private Chunk? NextScored(long number)
    {
        lock (_gate)
        {
            while (true)
            {
                if (_failure is not null)
                {
                    return null;
                }

                if (number < _published)
                {
                    var chunk = _ring[number % _ring.Length];
                    if (chunk.Scored)
                    {
                        return chunk;
                    }
                }
                else if (_ended)
                {
                    return null;
                }

                Monitor.Wait(_gate);
            }
        }
    }

    private void Written(Chunk chunk, long number)
    {
        lock (_gate)
        {
            chunk.Output.Clear();
            _written = number + 1;
            Monitor.PulseAll(_gate);
        }
    }

    private void Fail(ExceptionDispatchInfo failure)
    {
        lock (_gate)
        {
            _failure ??= failure;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Whole lines of the input (and, first, one too long to keep), their answers once scored.</summary>
    private sealed class Chunk
    {
        // Room for a carried part line and a read after it.
        public byte[] Input { get; private set; } = new byte[2 * ChunkBytes];

        public PooledBufferWriter Output { get; } = new(ChunkBytes * 4);

        /// <summary>Bytes of whole lines in <see cref="Input"/>; the last may lack its '\n' at the input's end.</summary>
        public int Length { get; set; }

        /// <summary>Lines in the chunk, the too-long one included.</summary>
        public int Lines { get; set; }

        public long FirstLine { get; set; }

        /// <summary>The chunk starts with a line over the limit, not kept.</summary>
        public bool LeadingTooLong { get; set; }

        public bool Scored { get; set; }

        public void Begin(int capacity)
        {
            if (Input.Length < capacity)
            {
                Input = new byte[capacity];
            }

            (Length, Lines, LeadingTooLong, Scored) = (0, 0, false, false);
        }

        public void Grow(int keep)
        {
            var larger = new byte[Input.Length * 2];
            Input.AsSpan(0, keep).CopyTo(larger);
            Input = larger;
        }
    }
}
