using System.Text.Json;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// The queue's paging words, in Chromium through the dashboard's own module: a filter's total the API
/// only bounds (<c>totalAtLeast</c>, when a filter matches more than it counts) must read "1,000+" and
/// leave the next page open; an exact total reads as it is and closes the last page.
/// </summary>
public sealed class QueuePagingTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Theory]
    [InlineData(1, 25, 1000, true, "1–25 of 1,000+ in care", "Page 1 of 40+", true)]
    [InlineData(40, 25, 1000, true, "976–1,000 of 1,000+ in care", "Page 40 of 40+", true)]
    [InlineData(40, 25, 1000, false, "976–1,000 of 1,000 in care", "Page 40 of 40", false)]
    [InlineData(1, 25, 7, false, "1–7 of 7 in care", "Page 1 of 1", false)]
    public async Task QueuePaging_TotalExactOrOnlyBounded_SaysSoAndOffersTheNextPageOnlyWhenThereMayBeOne(
        int page, int pageSize, int total, bool totalAtLeast, string count, string pageText, bool hasNext)
    {
        await using var ana = await fixture.OpenAsync("ana");
        var itemCount = Math.Min(pageSize, total - ((page - 1) * pageSize));

        var paging = await ana.Page.EvaluateAsync<JsonElement>(
            """
            async ([page, pageSize, itemCount, total, totalAtLeast]) => {
              const { queuePaging } = await import('/format.js');
              return queuePaging({ page, pageSize, itemCount, total, totalAtLeast, team: 'care' });
            }
            """,
            new object[] { page, pageSize, itemCount, total, totalAtLeast });

        Assert.Equal(count, paging.GetProperty("count").GetString());
        Assert.Equal(pageText, paging.GetProperty("pageText").GetString());
        Assert.Equal(hasNext, paging.GetProperty("hasNext").GetBoolean());
    }
}
