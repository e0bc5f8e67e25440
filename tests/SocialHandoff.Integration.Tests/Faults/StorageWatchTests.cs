using Azure;
using SocialHandoff.Local.Pipeline;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>The runner's storage watch with a probe standing in for storage (our own port): one line when it goes, one when it is back.</summary>
public sealed class StorageWatchTests
{
    private static readonly Exception Refused = new AggregateException(new RequestFailedException(0, "Connection refused (127.0.0.1:10001)"));

    private readonly List<string> _lines = [];
    private volatile bool _answers;

    [Fact]
    public async Task Report_ManyFailuresWhileStorageIsDown_OneLineThenOneWhenItIsBack()
    {
        using var watch = Attached();

        Assert.True(watch.Report(Refused));
        await WaitForLinesAsync(1);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(watch.Report(Refused));
        }

        Assert.True(watch.IsDown);
        _answers = true;
        await WaitForLinesAsync(2);

        Assert.Matches(@"^\[\d\d:\d\d:\d\d\] storage unreachable at http://127\.0\.0\.1:10001 since \d\d:\d\d:\d\d \(no response\)", Lines()[0]);
        Assert.Matches(@"storage reachable again at http://127\.0\.0\.1:10001 \(unreachable for \d+ s\)", Lines()[1]);
        Assert.False(watch.IsDown);
    }

    [Fact]
    public async Task Report_LateFailureOfACallMadeWhileDownOnceStorageAnswers_SaysNothing()
    {
        _answers = true;
        using var watch = Attached();

        Assert.True(watch.Report(Refused));
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        Assert.Empty(Lines());
        Assert.False(watch.IsDown);
    }

    [Fact]
    public void Report_FailureThatIsNotAnOutage_FalseAndNothingSaid()
    {
        using var watch = Attached();

        Assert.False(watch.Report(new RequestFailedException(409, "exists", "EntityAlreadyExists", null)));
        Assert.False(watch.Report(new InvalidOperationException("a bug")));
        Assert.Empty(Lines());
    }

    private StorageWatch Attached()
    {
        var watch = new StorageWatch(line =>
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        });
        watch.Attach("http://127.0.0.1:10001", _ => _answers ? Task.CompletedTask : throw new RequestFailedException(0, "Connection refused"), CancellationToken.None);
        return watch;
    }

    private List<string> Lines()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    private async Task WaitForLinesAsync(int count)
    {
        for (var i = 0; i < 100 && Lines().Count < count; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(count, Lines().Count);
    }
}
