using System.Collections.Concurrent;
using Azure;

namespace SocialHandoff.Core.Incidents;

/// <summary>
/// What this instance knows of each brand's incidents: which incident holds a signature band (with
/// its first text) and the incidents with the ETag last read or written. It is kept up to date from
/// the journal of opens (one range read of what any instance opened since the last one, at most once
/// per <see cref="IncidentOptions.MemoryFreshness"/> per brand), so a mention that opens nothing finds
/// an incident opened elsewhere without a look-up of its own. Every write decided from it is checked by
/// the table (a join updates the incident with the remembered ETag and inserts the membership; an open
/// inserts every band it claims, so a band another instance holds fails it): a stale entry costs a
/// conflict and a look in the table, never a second incident or a member counted twice.
/// </summary>
public sealed class IncidentCache
{
    /// <summary>Bands kept per brand (about 13 per incident: some 15,000 incidents); past it the brand's entries are dropped and the memory no longer answers for the table until it has read the journal whole again.</summary>
    private const int MaxBandsPerBrand = 200_000;

    /// <summary>How far back the journal is read again each time: opens committed late or stamped by a clock a little behind.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(10);

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

    /// <summary>
    /// Makes the brand's memory no older than <paramref name="freshness"/>: reads the journal of opens since
    /// the last read (the first time: the last <paramref name="history"/>) and learns their bands. One
    /// reader per brand at a time; the others wait for it. True when the memory answers for the table
    /// (a miss means no incident shares a band, as of the read).
    /// </summary>
    public async Task<bool> RefreshAsync(string partition, IncidentStore store, TimeSpan freshness, TimeSpan history, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var brand = BrandOf(partition);
        if (brand.Complete && brand.Read.IsRunning && brand.Read.Elapsed < freshness)
        {
            return true;
        }

        await brand.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (brand.Complete && brand.Read.IsRunning && brand.Read.Elapsed < freshness)
            {
                return true;
            }

            var cold = !brand.Complete;
            var since = cold || brand.Watermark is not { } mark ? now - history : mark - Overlap;
            var started = System.Diagnostics.Stopwatch.StartNew();
            foreach (var opened in await store.OpenedSinceAsync(partition, since, cancellationToken).ConfigureAwait(false))
            {
                foreach (var band in opened.Bands)
                {
                    var rowKey = IncidentStore.BandRowKey(band);
                    brand.Bands[rowKey] = new IncidentStore.Band(rowKey, opened.IncidentId, opened.Representative, default);
                }
            }

            brand.Watermark = now;
            brand.Read = started;
            brand.Complete = brand.Bands.Count < MaxBandsPerBrand;
            return brand.Complete;
        }
        finally
        {
            brand.Gate.Release();
        }
    }

    private Brand BrandOf(string partition)
    {
        var brand = _brands.GetOrAdd(partition, _ => new Brand());
        if (brand.Bands.Count >= MaxBandsPerBrand)
        {
            // Bounded memory: start again; until the journal is read whole again the table is asked.
            brand.Bands.Clear();
            brand.Incidents.Clear();
            brand.Complete = false;
        }

        return brand;
    }

    private sealed class Brand
    {
        public ConcurrentDictionary<string, IncidentStore.Band> Bands { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, IncidentStore.Stored> Incidents { get; } = new(StringComparer.Ordinal);

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Whether every open of the history read is known (false before the first read, or after the memory was dropped).</summary>
        public bool Complete { get; set; }

        /// <summary>The time (the reader's clock) up to which the journal was read.</summary>
        public DateTimeOffset? Watermark { get; set; }

        /// <summary>Real time since the last read (not the app's clock, which tests may stop).</summary>
        public System.Diagnostics.Stopwatch Read { get; set; } = new();
    }
}
