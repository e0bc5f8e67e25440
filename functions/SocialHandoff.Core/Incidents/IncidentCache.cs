using System.Collections.Concurrent;
using Azure;

namespace SocialHandoff.Core.Incidents;

/// <summary>
/// What this instance last saw of each brand's incidents: which incident holds a signature band (with
/// its first text) and the incidents with the ETag last read or written. It only saves reads: every decision taken from it is checked by the write that
/// follows, whose conditions are the table's (a join updates the incident with the cached ETag and
/// inserts the membership; an open inserts every band it claims, so a band another instance holds
/// fails it). A stale entry costs a conflict and a look in the table, never a wrong group.
/// </summary>
public sealed class IncidentCache
{
    /// <summary>Bands kept per brand before its entries are dropped and learnt again (about 13 per incident: some 1,500 incidents).</summary>
    private const int MaxBandsPerBrand = 20_000;

    private readonly ConcurrentDictionary<string, Brand> _brands = new(StringComparer.Ordinal);

    /// <summary>The bands of <paramref name="bandKeys"/> known to be held, as a look-up in the table would give them.</summary>
    public IReadOnlyList<IncidentStore.Band> Held(string partition, IReadOnlyList<string> bandKeys)
    {
        ArgumentNullException.ThrowIfNull(bandKeys);
        if (!_brands.TryGetValue(partition, out var brand))
        {
            return [];
        }

        var held = new List<IncidentStore.Band>();
        foreach (var key in bandKeys)
        {
            if (brand.Bands.TryGetValue(IncidentStore.BandRowKey(key), out var band))
            {
                held.Add(band);
            }
        }

        return held;
    }

    /// <summary>Bands read from the table.</summary>
    public void SawBands(string partition, IEnumerable<IncidentStore.Band> bands)
    {
        ArgumentNullException.ThrowIfNull(bands);
        var brand = BrandOf(partition);
        foreach (var band in bands)
        {
            brand.Bands[band.RowKey] = band;
        }
    }

    /// <summary>An incident this instance opened, under the bands it claimed (their ETags unknown: a takeover of one looks in the table first).</summary>
    public void Opened(string partition, Incident incident, IEnumerable<string> bandKeys, ETag? etag)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(bandKeys);
        var brand = BrandOf(partition);
        foreach (var key in bandKeys)
        {
            var rowKey = IncidentStore.BandRowKey(key);
            brand.Bands[rowKey] = new IncidentStore.Band(rowKey, incident.Id, incident.Representative, default);
        }

        Saw(partition, incident, etag);
    }

    /// <summary>The incident as last read or written here, with the ETag an update must match; null when unknown.</summary>
    public IncidentStore.Stored? Incident(string partition, string incidentId) =>
        _brands.TryGetValue(partition, out var brand) && brand.Incidents.TryGetValue(incidentId, out var stored) ? stored : null;

    /// <summary>An incident as read or written (no ETag: forgotten, so the next join reads it).</summary>
    public void Saw(string partition, Incident incident, ETag? etag)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var brand = BrandOf(partition);
        if (etag is { } e && e != default)
        {
            brand.Incidents[incident.Id] = new IncidentStore.Stored(incident, e);
        }
        else
        {
            brand.Incidents.TryRemove(incident.Id, out _);
        }
    }

    /// <summary>Drops what is known of an incident (it moved, or is out of its window or resolved).</summary>
    public void Forget(string partition, string incidentId)
    {
        if (_brands.TryGetValue(partition, out var brand))
        {
            brand.Incidents.TryRemove(incidentId, out _);
        }
    }

    private Brand BrandOf(string partition)
    {
        var brand = _brands.GetOrAdd(partition, _ => new Brand());
        if (brand.Bands.Count >= MaxBandsPerBrand)
        {
            // Bounded memory: start again; what matters is learnt back from the table as it is used.
            brand.Bands.Clear();
            brand.Incidents.Clear();
        }

        return brand;
    }

    private sealed class Brand
    {
        public ConcurrentDictionary<string, IncidentStore.Band> Bands { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, IncidentStore.Stored> Incidents { get; } = new(StringComparer.Ordinal);
    }
}
