using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Local.Azurite;
using SocialHandoff.Local.Pipeline;
using SocialHandoff.Local.Web;
using Xunit.Abstractions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// The local web host (API and dashboard) on its own Azurite, with three development identities,
/// and one headless system Chromium. Each test seeds its own mentions through the real pipeline
/// stage and opens its own browser contexts.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>Two agents of the care team and a manager.</summary>
    public const string DevIdentities = "ana=agent.care;ben=agent.care;mia=manager";

    private readonly StringWriter _setupLog = new();
    private AzuriteLauncher? _azurite;
    private LocalWebHost? _host;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private int _seeded;

    public Uri Address => _host?.Address ?? throw new InvalidOperationException("The web host is not running.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium is not running.");

    /// <summary>Where screenshots go: artifacts/screenshots under the test output folder.</summary>
    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    /// <summary>What setting up printed (the apt-get install, when it ran).</summary>
    public string SetupLog => _setupLog.ToString();

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await Chromium.EnsureInstalledAsync(_setupLog, timeout.Token);

        _azurite = await AzuriteLauncher.StartAsync(null, timeout.Token);
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:ConnectionString"] = _azurite.ConnectionString,
                ["Api:DevIdentities"] = DevIdentities,
            })
            .Build();
        _host = await LocalWebHost.StartAsync(configuration, timeout.Token);
        await new LocalPipeline(_host.Services, new QueuePumpOptions()).InitializeAsync(timeout.Token);

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.ExecutablePath,
            Headless = true,
            Args = Chromium.Args,
            Timeout = 60_000,
        });
    }

    /// <summary>Hands a mention to the care team the way the pipeline does (ProcessMentionStage) and returns the handoff id (of its own; a copy joining an incident has none).</summary>
    public async Task<string> SeedAsync(string text, long followers = 1200, ProcessOutcome expected = ProcessOutcome.HandedOff)
    {
        var n = Interlocked.Increment(ref _seeded);
        var id = $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}{n:D3}";
        var mention = new MentionMessage(
            MentionMessage.CurrentSchemaVersion, "browser-" + id, "x", id, new MentionAuthor("a" + id, $"customer{n}", $"Customer {n}", followers, false),
            text, "en", new MentionMetrics(0, 0, 0, 0), $"https://x.com/customer{n}/status/{id}", DateTimeOffset.UtcNow.AddMinutes(-2), "contoso");
        var stage = _host!.Services.GetRequiredService<ProcessMentionStage>();
        var outcome = await stage.ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None);
        Assert.Equal(expected, outcome);
        return HandoffIds.For(mention.Key);
    }

    /// <summary>The web host's services (Azurite, the system clock).</summary>
    public IServiceProvider Services => _host!.Services;

    /// <summary>Puts an advert through the pipeline stage, which holds it out as spam (the filter is on in appsettings.json); returns its mention key.</summary>
    public async Task<string> SeedSpamAsync(string text)
    {
        var id = $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}{Interlocked.Increment(ref _seeded):D3}";
        var mention = new MentionMessage(
            MentionMessage.CurrentSchemaVersion, "browser-" + id, "x", id, new MentionAuthor("p" + id, "promo_" + id, "Promo", 12, false),
            text, "en", new MentionMetrics(0, 0, 0, 0), null, DateTimeOffset.UtcNow.AddMinutes(-2), "contoso");
        Assert.Equal(ProcessOutcome.Filtered, await _host!.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None));
        return mention.Key;
    }

    /// <summary>Calls the API as a development identity (header X-Dev-User), outside any browser.</summary>
    public async Task<JsonElement> ApiAsync(HttpMethod method, string path, string user, object? body = null)
    {
        using var client = new HttpClient { BaseAddress = Address };
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Dev-User", user);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} as {user}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// A page in a fresh browser context signed in as <paramref name="user"/> (the dev identity cookie),
    /// with every console error and page error collected so a test can assert there were none.
    /// </summary>
    /// <param name="beforeLoad">Runs on the page before it loads (e.g. installs Playwright's fake clock).</param>
    public async Task<DashboardPage> OpenAsync(string user, string hash = "", int width = 1280, int height = 900, Func<IPage, Task>? beforeLoad = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        await context.AddCookiesAsync([new Cookie { Name = "sh-dev-user", Value = user, Url = Address.ToString() }]);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add($"console: {message.Text}");
                }
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                lock (errors)
                {
                    errors.Add($"http: {response.Status} {response.Request.Method} {response.Url}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add($"page error: {error}");
            }
        };
        if (beforeLoad is not null)
        {
            await beforeLoad(page);
        }

        await page.GotoAsync("/" + hash);
        try
        {
            await page.Locator("body[data-ready='true']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        }
        catch (TimeoutException ex)
        {
            var status = await page.GetByTestId("status-message").TextContentAsync();
            string[] seen;
            lock (errors)
            {
                seen = [.. errors];
            }

            await context.DisposeAsync();
            throw new TimeoutException($"The dashboard did not start for {user}. Message shown: '{status}'. Browser errors: {string.Join(" | ", seen)}", ex);
        }

        return new DashboardPage(context, page, errors);
    }

    /// <summary>Saves a full-page screenshot under artifacts/screenshots and prints its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name, ITestOutputHelper output)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

/// <summary>One signed-in browser context and its page; disposing closes the context.</summary>
public sealed class DashboardPage(IBrowserContext context, IPage page, List<string> errors) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    /// <summary>Console errors and uncaught exceptions so far (a CSP violation shows up here too).</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (errors)
            {
                return errors.ToList();
            }
        }
    }

    /// <summary>The queue card whose text contains <paramref name="marker"/>.</summary>
    public ILocator Item(string marker) => Page.Locator("[data-testid='queue-item']").Filter(new LocatorFilterOptions { HasText = marker });

    public ValueTask DisposeAsync() => context.DisposeAsync();
}
