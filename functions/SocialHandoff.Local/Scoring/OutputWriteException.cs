namespace SocialHandoff.Local.Scoring;

/// <summary>
/// A write to <c>score</c>'s output failed (the reader gone, the descriptor closed, the disk full), told
/// apart from a failed read of its input. Carries the cause's HResult, so
/// <see cref="StandardPipes.IsBrokenPipe"/> reads it as it would the cause.
/// </summary>
internal sealed class OutputWriteException : IOException
{
    public OutputWriteException(Exception cause)
        : base(cause.InnerException?.Message ?? cause.Message, cause)
    {
        HResult = cause.HResult;
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="output"/> and flushes; an I/O failure becomes an <see cref="OutputWriteException"/>.</summary>
    public static void WriteAndFlush(Stream output, ReadOnlySpan<byte> bytes)
    {
        try
        {
            output.Write(bytes);
            output.Flush();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // .NET reports EBADF (standard output closed) as access denied, with the errno's text inside.
            throw new OutputWriteException(ex);
        }
    }
}
