using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Integration.Tests.Telemetry;

/// <summary>Totals of the product's counters for one source tag value (other tests' sources are left out).</summary>
internal sealed class SourceMetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);

    public SourceMetricRecorder(string source)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SocialHandoffTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == SocialHandoffTelemetry.Tags.Source && Equals(tag.Value, source))
                {
                    _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
                }
            }
        });
        _listener.Start();
    }

    public long Total(string instrument) => _totals.GetValueOrDefault(instrument);

    public void Dispose() => _listener.Dispose();
}
