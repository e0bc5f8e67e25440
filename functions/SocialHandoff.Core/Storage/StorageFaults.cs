using System.Net.Sockets;
using Azure;

namespace SocialHandoff.Core.Storage;

/// <summary>
/// Tells "storage did not answer, or answered busy" from every other failure, whichever shape the
/// SDK gave it: a <see cref="RequestFailedException"/> with status 0 (no response; the socket error
/// inside) or 408/429/5xx, the <see cref="AggregateException"/> its retry policy throws after the
/// last try, a transport exception, or a network timeout (a cancellation nobody asked for).
/// </summary>
public static class StorageFaults
{
    /// <summary>True when <paramref name="exception"/> means storage is unreachable or overloaded (try again later), not that the request was wrong.</summary>
    /// <param name="exception">What a storage call threw.</param>
    /// <param name="callerToken">The caller's token: a cancellation it asked for is not a fault.</param>
    public static bool IsUnavailable(Exception exception, CancellationToken callerToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,
            AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(e => IsUnavailable(e, callerToken)),
            HttpRequestException or SocketException or TimeoutException => true,
            IOException io => io.InnerException is SocketException,
            OperationCanceledException => !callerToken.IsCancellationRequested,
            _ => false,
        };
    }

    /// <summary>A short description for a person: "connection refused", "timed out", "503 ServerBusy", ...</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? e = exception; e is not null; e = e is AggregateException a && a.InnerExceptions.Count > 0 ? a.InnerExceptions[^1] : e.InnerException)
        {
            switch (e)
            {
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.ConnectionReset => "connection reset",
                        SocketError.HostNotFound or SocketError.NoData => "host not found",
                        SocketError.TimedOut => "timed out",
                        var code => code.ToString(),
                    };
                case TimeoutException or OperationCanceledException when e.InnerException is null:
                    return "timed out";
                case RequestFailedException { Status: > 0 } failed:
                    return $"{failed.Status} {failed.ErrorCode}".TrimEnd();
                case RequestFailedException { InnerException: null }:
                    return "no response";
            }
        }

        return exception.GetType().Name;
    }
}
