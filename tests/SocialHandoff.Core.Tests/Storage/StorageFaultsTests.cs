using System.Net.Sockets;
using System.Text.Json;
using Azure;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Tests.Storage;

public sealed class StorageFaultsTests
{
    public static TheoryData<Exception> Outages() =>
    [
        new RequestFailedException(0, "no response", new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))),
        new RequestFailedException(503, "busy", "ServerBusy", null),
        new RequestFailedException(500, "internal", "InternalError", null),
        new RequestFailedException(408, "timeout", "OperationTimedOut", null),
        new RequestFailedException(429, "throttled"),
        new AggregateException("Retry failed after 4 tries.", Enumerable.Range(0, 4).Select(_ => new RequestFailedException(0, "no response"))),
        new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)),
        new SocketException((int)SocketError.ConnectionReset),
        new IOException("reset", new SocketException((int)SocketError.ConnectionReset)),
        new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.", new TimeoutException()),
        new TimeoutException(),
    ];

    public static TheoryData<Exception> NotOutages() =>
    [
        new RequestFailedException(404, "not found", "ResourceNotFound", null),
        new RequestFailedException(409, "exists", "EntityAlreadyExists", null),
        new RequestFailedException(412, "stale", "UpdateConditionNotSatisfied", null),
        new RequestFailedException(400, "bad", "PropertyValueTooLarge", null),
        new AggregateException(new RequestFailedException(0, "no response"), new RequestFailedException(409, "exists")),
        new AggregateException(),
        new JsonException("bad body"),
        new InvalidOperationException("a bug"),
        new IOException("disk full"),
    ];

    [Theory]
    [MemberData(nameof(Outages))]
    public void IsUnavailable_StorageDidNotAnswerOrAnsweredBusy_True(Exception exception) =>
        Assert.True(StorageFaults.IsUnavailable(exception));

    [Theory]
    [MemberData(nameof(NotOutages))]
    public void IsUnavailable_AnAnswerAboutTheRequestOrABug_False(Exception exception) =>
        Assert.False(StorageFaults.IsUnavailable(exception));

    [Fact]
    public void IsUnavailable_CancellationTheCallerAskedFor_False()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.False(StorageFaults.IsUnavailable(new OperationCanceledException(cancelled.Token), cancelled.Token));
        Assert.True(StorageFaults.IsUnavailable(new OperationCanceledException(), CancellationToken.None));
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, "connection refused")]
    [InlineData(SocketError.HostNotFound, "host not found")]
    public void Describe_RetriesExhaustedOnASocketError_NamesTheSocketError(SocketError error, string expected) =>
        Assert.Equal(expected, StorageFaults.Describe(new AggregateException(
            new RequestFailedException(0, "no response", new HttpRequestException("x", new SocketException((int)error))))));

    [Fact]
    public void Describe_BusyAnswer_StatusAndCode() =>
        Assert.Equal("503 ServerBusy", StorageFaults.Describe(new RequestFailedException(503, "busy", "ServerBusy", null)));
}
