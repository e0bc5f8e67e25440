using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Integration.Tests;

/// <summary>Listens to the SocialHandoff meter while a test runs and sums each counter.</summary>
internal sealed class XMetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);

    public XMetricRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SocialHandoffTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value));
        _listener.Start();
    }

    public long Total(string instrument) => _totals.TryGetValue(instrument, out var total) ? total : 0;

    public void Dispose() => _listener.Dispose();
}
