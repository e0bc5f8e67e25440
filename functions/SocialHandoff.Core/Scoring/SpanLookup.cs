using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SocialHandoff.Core.Scoring;

/// <summary>
/// A read-only string-keyed table looked up by span: open addressing with a multiplicative hash read
/// 8 characters at a time. It exists for speed (several times faster per token than a general
/// dictionary's span look-up, measured by the scoring evaluation); the keys are fixed at build time,
/// so no input can lengthen a probe run. Every word table of the scorer uses it (the lexicon, the cue
/// words, the severity terms, the function words of language detection): cheap to build, too, which
/// a frozen dictionary is not (a short `score` run paid for building and compiling those).
/// </summary>
/// <remarks>
/// Laid out for the cache, since a look-up costs mostly its memory reads: a slot holds the hash and
/// the entry, so a miss (nearly half of all tokens) is decided by one read; an entry holds its value
/// and its key's first 8 characters, so a hit on a key of up to 8 (most words) reads slot and entry
/// only; a longer key's other characters sit in one shared array.
/// </remarks>
internal sealed class SpanLookup<T>
{
    private readonly Slot[] _slots;
    private readonly Entry[] _entries;
    private readonly char[] _keyChars;
    private readonly int _mask;

    // One bit per value of a hash's top 16 bits, set for the keys' hashes: 8 KB that stay in the L1
    // cache, so most look-ups of a word not in the table end without reading the table at all.
    private readonly ulong[] _filter = new ulong[1 << 10];

    public SpanLookup(IReadOnlyDictionary<string, T> entries)
    {
        // At most one key in six slots: a probe seldom goes past its first slot (measured faster
        // than one in three, at 512 KB for the word lexicon, well inside the L2 cache).
        var capacity = 16;
        while (capacity < entries.Count * 6)
        {
            capacity <<= 1;
        }

        _slots = new Slot[capacity];
        _mask = capacity - 1;
        _entries = new Entry[entries.Count];
        // An entry holds its key's first block of 8 characters, zero-padded, compared with a token's
        // block in one vector comparison; only the characters past the first 8 go to the shared array.
        _keyChars = new char[entries.Keys.Sum(key => Math.Max(0, key.Length - 8))];
        var index = 0;
        var tailStart = 0;
        foreach (var (key, value) in entries)
        {
            var hash = SpanLookup.Hash(key, out var first);
            if (key.Length > 8)
            {
                key.AsSpan(8).CopyTo(_keyChars.AsSpan(tailStart));
            }

            _entries[index] = new Entry(first, tailStart, key.Length, value);
            tailStart += Math.Max(0, key.Length - 8);

            _filter[hash >> 22] |= 1UL << (int)(hash >> 16);
            var slot = (int)(hash & (uint)_mask);
            while (_slots[slot].Entry != 0)
            {
                slot = (slot + 1) & _mask;
            }

            _slots[slot] = new Slot(hash, ++index);
        }
    }

    public int Count => _entries.Length;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetValue(ReadOnlySpan<char> key, out T value) => TryGetValue(key, SpanLookup.Hash(key, out var first), first, out value);

    /// <summary>
    /// Looks up a key whose hash and first block of 8 characters (zero-padded) the caller computed
    /// while writing it (<see cref="SpanLookup.Seed"/>, <see cref="SpanLookup.Mix"/>, <see cref="SpanLookup.Finish"/>).
    /// </summary>
    public bool TryGetValue(ReadOnlySpan<char> key, uint hash, Vector128<ushort> first, out T value)
    {
        if ((_filter[hash >> 22] & (1UL << (int)(hash >> 16))) == 0)
        {
            value = default!;
            return false;
        }

        var slots = _slots;
        var slot = (int)(hash & (uint)_mask);
        while (true)
        {
            var candidate = slots[slot];
            if (candidate.Entry == 0)
            {
                value = default!;
                return false;
            }

            if (candidate.Hash == hash)
            {
                // The first block is compared in registers: its characters, just written by the
                // caller, are not read back from memory, and the key's are in the entry just read.
                ref readonly var entry = ref _entries[candidate.Entry - 1];
                if (entry.KeyLength == key.Length
                    && entry.First == first
                    && (key.Length <= 8 || key[8..].SequenceEqual(_keyChars.AsSpan(entry.TailStart, key.Length - 8))))
                {
                    value = entry.Value;
                    return true;
                }
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>A position of the table: the key's hash and its entry's index plus one (0: empty).</summary>
    private readonly record struct Slot(uint Hash, int Entry);

    /// <summary>A key's first 8 characters (zero-padded), where its characters past those sit in the shared array, its length and its value.</summary>
    private readonly record struct Entry(Vector128<ushort> First, int TailStart, int KeyLength, T Value);
}

/// <summary>
/// The hash <see cref="SpanLookup{T}"/> keys are placed by. Not generic, so that callers' hot loops
/// inline it (as a static of the generic class, <see cref="Finish"/> was still called, and at tier 0,
/// from the word readers).
/// </summary>
internal static class SpanLookup
{
    // The hash reads a key 8 characters (two 64-bit words) at a time, the last block padded with
    // zeros, so that a caller holding a token's characters in a vector can hash them with a multiply
    // or two (Seed, Mix and Finish) instead of one multiply per character.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Seed(int length) => (ulong)length * 0x9E3779B97F4A7C15UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong hash, ulong first4, ulong next4) =>
        ((hash ^ first4) * 0xC2B2AE3D27D4EB4FUL) ^ (next4 * 0x165667B19E3779F9UL);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Finish(ulong hash)
    {
        // murmur3's finaliser: every input bit reaches the low bits (slot) and the top ones (filter).
        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCDUL;
        hash ^= hash >> 33;
        return (uint)hash;
    }

    /// <summary>The hash of <paramref name="key"/> and its first block of 8 characters, zero-padded.</summary>
    public static uint Hash(ReadOnlySpan<char> key, out Vector128<ushort> first)
    {
        var hash = Seed(key.Length);
        first = default;
        for (var k = 0; k < key.Length; k += 8)
        {
            // A block, zero-padded: characters shifted into place, as little-endian loads would.
            ulong first4 = 0, next4 = 0;
            var block = key.Slice(k, Math.Min(8, key.Length - k));
            for (var j = 0; j < block.Length; j++)
            {
                var c = (ulong)block[j];
                first4 |= j < 4 ? c << (16 * j) : 0;
                next4 |= j < 4 ? 0 : c << (16 * (j - 4));
            }

            if (k == 0)
            {
                first = Vector128.Create(first4, next4).AsUInt16();
            }

            hash = Mix(hash, first4, next4);
        }

        return Finish(hash);
    }

    /// <summary>
    /// As <see cref="Hash"/>, for the key at <paramref name="start"/> in a buffer with at least 8
    /// characters after the key's end: each block is one vector load, its characters past the key
    /// masked off, instead of a shift per character.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint HashInPadded(char[] buffer, int start, int length, out Vector128<ushort> first)
    {
        // The loads below are unchecked: this one check keeps them inside the buffer.
        if ((ulong)(uint)start + (uint)length + 8 > (uint)buffer.Length)
        {
            ThrowNoPadding();
        }

        var hash = Seed(length);
        if (length == 0)
        {
            first = default;
            return Finish(hash);
        }

        ref var at = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(buffer));
        first = Vector128.LoadUnsafe(ref at, (nuint)start) & Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(BlockMasks), (nuint)(8 - Math.Min(length, 8)));
        hash = Mix(hash, first.AsUInt64().GetElement(0), first.AsUInt64().GetElement(1));
        for (var k = 8; k < length; k += 8)
        {
            var block = Vector128.LoadUnsafe(ref at, (nuint)(start + k)) & Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(BlockMasks), (nuint)(8 - Math.Min(length - k, 8)));
            hash = Mix(hash, block.AsUInt64().GetElement(0), block.AsUInt64().GetElement(1));
        }

        return Finish(hash);
    }

    [DoesNotReturn]
    private static void ThrowNoPadding() => throw new ArgumentOutOfRangeException("length", "The buffer needs 8 characters after the key.");

    // Loaded at 8 - n, the first n lanes all ones: keeps the n characters of a block.
    private static ReadOnlySpan<ushort> BlockMasks => [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0, 0, 0, 0, 0, 0, 0, 0];
}
