using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Integration.Tests.Telemetry;

/// <summary>The SocialHandoff meter and activity source through OpenTelemetry's in-memory exporter, as a host's SDK would see them.</summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly List<MetricSnapshot> _metrics = [];
    private readonly List<Activity> _spans = [];
    private readonly MeterProvider _meterProvider;
    private readonly TracerProvider _tracerProvider;

    public TelemetryCapture()
    {
        _meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(SocialHandoffTelemetry.Name).AddInMemoryExporter(_metrics).Build()!;
        _tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(SocialHandoffTelemetry.Name).SetSampler(new AlwaysOnSampler()).AddInMemoryExporter(_spans).Build()!;
    }

    /// <summary>The counter's total over the points whose tags include every one given.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) =>
        Points(instrument, tags).Sum(p => p.GetSumLong());

    /// <summary>The histogram's count and sum over the points whose tags include every one given.</summary>
    public (long Count, double Sum) Histogram(string instrument, params (string Key, string Value)[] tags)
    {
        var points = Points(instrument, tags).ToList();
        return (points.Sum(p => p.GetHistogramCount()), points.Sum(p => p.GetHistogramSum()));
    }

    /// <summary>The histogram's bucket upper bounds as the exporter received them (the last, +infinity, left out).</summary>
    public IReadOnlyList<double> Buckets(string instrument)
    {
        var point = Points(instrument, []).First();
        var bounds = new List<double>();
        foreach (var bucket in point.GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        return bounds.Where(b => !double.IsPositiveInfinity(b)).ToList();
    }

    /// <summary>Every point of the instrument with its tags, e.g. to see which teams and priorities were recorded.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> TagSets(string instrument) =>
        Points(instrument, []).Select(p => (IReadOnlyDictionary<string, string>)Tags(p)).ToList();

    public IReadOnlyList<Activity> Spans(string name)
    {
        _tracerProvider.ForceFlush();
        lock (_spans)
        {
            return _spans.Where(s => s.DisplayName == name || s.OperationName == name).ToList();
        }
    }

    public void Dispose()
    {
        _meterProvider.Dispose();
        _tracerProvider.Dispose();
    }

    private IEnumerable<MetricPoint> Points(string instrument, (string Key, string Value)[] tags)
    {
        _meterProvider.ForceFlush();
        // Cumulative temporality: the last export of an instrument holds its totals.
        var last = _metrics.LastOrDefault(m => m.Name == instrument);
        return last is null
            ? []
            : last.MetricPoints.Where(p =>
            {
                var have = Tags(p);
                return tags.All(t => have.TryGetValue(t.Key, out var v) && v == t.Value);
            }).ToList();
    }

    private static Dictionary<string, string> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }

        return tags;
    }
}
