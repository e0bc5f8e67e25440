using System.Buffers;
using System.Runtime.CompilerServices;

namespace SocialHandoff.Local.Scoring;

/// <summary>
/// A growable byte buffer from the shared pool that can be cut back to a mark (a line whose answer
/// failed half-written is dropped whole) and emptied after it is written out, so its size is that of
/// one flush, not of the whole output.
/// </summary>
internal sealed class PooledBufferWriter(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int WrittenCount { get; private set; }

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, WrittenCount);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Advance(int count) => WrittenCount += count;

    // Ensure may replace the buffer: it runs before the buffer is read.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var start = Ensure(sizeHint);
        return _buffer.AsMemory(start);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var start = Ensure(sizeHint);
        return _buffer.AsSpan(start);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(byte value)
    {
        GetSpan(1)[0] = value;
        WrittenCount++;
    }

    /// <summary>Drops what was written after <paramref name="mark"/> (a <see cref="WrittenCount"/> taken earlier).</summary>
    public void Truncate(int mark) => WrittenCount = Math.Min(mark, WrittenCount);

    public void Clear() => WrittenCount = 0;

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Ensure(int sizeHint)
    {
        var needed = WrittenCount + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, WrittenCount).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return WrittenCount;
    }
}
