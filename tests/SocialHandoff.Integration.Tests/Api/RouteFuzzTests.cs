using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SocialHandoff.Core.Access;

namespace SocialHandoff.Integration.Tests.Api;

/// <summary>
/// Every route of the work API through the local web host on Azurite, with hostile bodies, queries,
/// headers and ids from a seeded generator (a failure names its seed and request, so it replays).
/// The bar: no 5xx at all, and every 4xx is problem+json.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RouteFuzzTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const int Seed = 20261130;

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AllRoutes_HostileInput_No5xxAndEvery4xxIsProblemJson()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var handoff = await api.HandOffAsync("fuzz1", "@contoso charged twice and still waiting for a refund!!");
        var rules = (await api.GetAsync("mia", "api/rules")).Body!["document"]!;
        var sla = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!;
        var random = new Random(Seed);
        var failures = new List<string>();
        int requests = 0, kestrel = 0;

        async Task CheckAsync(Hostile request)
        {
            var (status, contentType, text) = await api.SendHostileAsync(request);
            if (IsRefusedByKestrel(request, status, contentType, text))
            {
                kestrel++;
                return;
            }

            requests++;
            if (status >= 500 || (status >= 400 && contentType != "application/problem+json"))
            {
                failures.Add($"{status} {contentType} for {request}: {Cut(text, 300)}");
            }
        }

        // Bodies: valid documents mutated one place at a time, plus texts that are not the document at all.
        string[] bodyRoutes = ["api/rules/validate", "api/rules/dry-run", "api/rules", "api/sla-policies/validate", "api/sla-policies/preview", "api/sla-policies"];
        foreach (var route in bodyRoutes)
        {
            var document = route.StartsWith("api/rules", StringComparison.Ordinal) ? rules : sla;
            var method = route is "api/rules" or "api/sla-policies" ? "PUT" : "POST";
            foreach (var body in HostileBodies(document, random, 70))
            {
                await CheckAsync(new Hostile("mia", method, route, body));
            }
        }

        // A pasted text routed by a proposal: the try body wraps a whole rule set.
        JsonNode tryBody = new JsonObject { ["text"] = "refund please", ["language"] = "en", ["source"] = "x", ["brand"] = "contoso", ["followers"] = 10, ["verified"] = true, ["rules"] = rules.DeepClone() };
        foreach (var body in HostileBodies(tryBody, random, 40))
        {
            await CheckAsync(new Hostile("mia", "POST", "api/rules/try", body));
        }

        string[] actions = ["claim", "release", "respond", "pause", "resume", "resolve", "reassign", "notes"];
        JsonNode actionBody = new JsonObject { ["reply"] = "ok", ["note"] = "n", ["text"] = "t", ["assignee"] = "ben", ["team"] = "billing" };
        foreach (var action in actions)
        {
            foreach (var body in HostileBodies(actionBody, random, 12))
            {
                await CheckAsync(new Hostile(Pick(random, ["ana", "mia"]), "POST", $"api/handoffs/{handoff}/{action}", body));
            }
        }

        // Ids and path segments.
        foreach (var id in HostileSegments(random, 25).Append(handoff))
        {
            var segment = Uri.EscapeDataString(id);
            await CheckAsync(new Hostile("mia", "GET", $"api/handoffs/{segment}", null));
            await CheckAsync(new Hostile("mia", "POST", $"api/handoffs/{segment}/{Pick(random, actions)}", "{}"));
            await CheckAsync(new Hostile("mia", "POST", $"api/handoffs/{handoff}/{segment}", "{}"));
            await CheckAsync(new Hostile("ana", "GET", $"api/teams/{segment}/handoffs", null));
            await CheckAsync(new Hostile("mia", "GET", $"api/sla/{segment}", null));
            await CheckAsync(new Hostile("mia", "GET", $"api/rules/history/{segment}", null));
            await CheckAsync(new Hostile("mia", "DELETE", $"api/teams/{segment}", null) { IfMatch = "*" });
            await CheckAsync(new Hostile(Pick(random, ["ana", "mia"]), "GET", $"api/people/{segment}/availability/history", null));
            await CheckAsync(new Hostile("mia", Pick(random, ["GET", "POST", "PUT", "DELETE", "PATCH"]), $"api/{segment}", "{}"));
        }

        // Queries.
        string[] reports = ["summary", "summary.csv", "breaches", "breaches.csv", "at-risk", "at-risk.csv", "first-response"];
        for (var i = 0; i < 60; i++)
        {
            var report = Pick(random, reports);
            await CheckAsync(new Hostile("mia", "GET", $"api/sla/{report}?{HostileQuery(random, ["team", "from", "to"])}", null));
            await CheckAsync(new Hostile("ana", "GET", $"api/teams/care/handoffs?{HostileQuery(random, ["status", "assignee", "priority", "source", "sla", "page", "pageSize"])}", null));
            await CheckAsync(new Hostile("mia", "POST", $"api/rules/dry-run?{HostileQuery(random, ["last", "rule"])}", rules.ToJsonString()));
            await CheckAsync(new Hostile("ana", "GET", $"api/rules/vocabulary?{HostileQuery(random, ["team"])}", null));
        }

        // Report dates at the calendar's limits.
        string[] limits = ["0001-01-01", "0001-01-02", "0001-01-13", "0001-01-14", "9999-12-31", "9999-12-30", "9999-12-17", "1970-01-01", "2026-02-29", "2024-02-29"];
        foreach (var report in reports)
        {
            foreach (var from in limits.Append(""))
            {
                foreach (var to in limits.Append(""))
                {
                    await CheckAsync(new Hostile("mia", "GET", $"api/sla/{report}?from={from}&to={to}", null));
                }
            }
        }

        // Headers: If-Match, the development identity, the App Service principal, content types.
        foreach (var ifMatch in HostileHeaderValues(random, 20).Concat(["\"r\"", "\"r-1\"", "\"r99999999999999999999\"", "W/", "W/\"\"", "\"", "\"v1\"", "*"]))
        {
            await CheckAsync(new Hostile("ana", "POST", $"api/handoffs/{handoff}/notes", """{"text":"x"}""") { IfMatch = ifMatch });
            await CheckAsync(new Hostile("mia", "PUT", "api/rules", rules.ToJsonString()) { IfMatch = ifMatch });
            await CheckAsync(new Hostile("mia", "DELETE", "api/teams/care", null) { IfMatch = ifMatch });
        }

        foreach (var user in HostileHeaderValues(random, 15))
        {
            await CheckAsync(new Hostile(user, "GET", "api/me", null));
            await CheckAsync(new Hostile("", "GET", "api/me", null) { Cookie = $"{Core.Api.WorkApi.DevUserCookie}={user}" });
        }

        // The dashboard's files share the host: hostile paths there are a 404 or a file, never a 5xx.
        foreach (var segment in HostileSegments(random, 10).Select(Uri.EscapeDataString).Concat(["%2500", "..%2F..%2Fetc%2Fpasswd", "%252e%252e/%252e%252e/etc/passwd", "index.html%2500.js", new string('a', 3000) + ".js"]))
        {
            var (status, _, text) = await api.SendHostileAsync(new Hostile("", "GET", segment, null));
            if (status >= 500 && !IsRefusedByKestrel(new Hostile("", "GET", segment, null), status, null, text))
            {
                failures.Add($"{status} for dashboard path {Cut(segment, 200)}: {Cut(text, 200)}");
            }
        }

        foreach (var contentType in new[] { "text/plain", "application/jsonx", "application/json; charset=utf-16", ";", "application/json;;;", "multipart/form-data; boundary=x" })
        {
            await CheckAsync(new Hostile("mia", "POST", "api/rules/validate", rules.ToJsonString()) { ContentType = contentType });
        }

        Assert.True(failures.Count == 0, $"seed {Seed}: {failures.Count} failures of {requests}:\n" + string.Join("\n", failures.Take(40)));
        output.WriteLine($"seed {Seed}: {requests} requests reached the app, {kestrel} were refused by Kestrel before it");
        Assert.True(requests > 2000, $"only {requests} requests reached the app ({kestrel} refused by Kestrel)");
    }

    /// <summary>
    /// Kestrel refuses a request line it cannot take (a NUL in the path, a URL over its 8 KB limit)
    /// before any app code runs, with an empty 400 or 414; no host can answer those itself.
    /// </summary>
    private static bool IsRefusedByKestrel(Hostile request, int status, string? contentType, string text) =>
        contentType is null && text.Length == 0
        && ((status == 400 && request.Path.Contains("%00", StringComparison.Ordinal)) || (status == 414 && request.Path.Length > 8000));

    [Fact]
    public async Task AllRoutes_HostilePrincipal_401NeverA5xx()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Api:DevIdentities"] = "" });
        var random = new Random(Seed);
        var failures = new List<string>();
        var principals = new List<string>
        {
            "", " ", "not base64!", "====", "e30=", B64("null"), B64("[]"), B64("\"x\""), B64("{}"), B64("""{"claims":null}"""),
            B64("""{"claims":[null]}"""), B64("""{"claims":[{}]}"""), B64("""{"claims":[{"typ":null,"val":null}]}"""),
            B64("""{"claims":[{"typ":"name","val":null}]}"""), B64("""{"claims":[{"typ":"name","val":"x"},{"typ":"roles","val":null}]}"""),
            B64("""{"claims":[{"typ":"name","val":"\ud800"}]}"""), B64("""{"claims":[{"typ":1,"val":2}]}"""), B64("""{"claims":{"typ":"name"}}"""),
            B64("""{"name_typ":null,"role_typ":null,"claims":[{"typ":"name","val":"   "}]}"""), B64("{\"claims\":[" + new string('[', 5000)),
            B64("""{"claims":[{"typ":"name","val":"x"}],"claims":[]}"""), Convert.ToBase64String([0xff, 0xfe, 0x00, 0x7b]),
            B64("""{"claims":[{"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":""}]}"""),
        };
        for (var i = 0; i < 30; i++)
        {
            principals.Add(B64(Mutate(JsonNode.Parse("""{"auth_typ":"aad","name_typ":"name","role_typ":"roles","claims":[{"typ":"name","val":"a"},{"typ":"roles","val":"manager"},{"typ":"oid","val":"00000000-0000-0000-0000-000000000001"}]}""")!, random)));
        }

        output.WriteLine($"seed {Seed}: {principals.Count} principals on 5 routes");
        foreach (var principal in principals)
        {
            foreach (var path in new[] { "api/me", "api/teams", "api/rules", "api/teams/care/handoffs", "api/sla/summary" })
            {
                var (status, contentType, text) = await api.SendHostileAsync(new Hostile("", "GET", path, null) { Principal = principal });
                if (status >= 500 || (status >= 400 && contentType != "application/problem+json") || status is not (200 or 401 or 403))
                {
                    failures.Add($"{status} {contentType} for {path} with principal {Cut(principal, 80)}: {Cut(text, 200)}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"seed {Seed}: {failures.Count} failures:\n" + string.Join("\n", failures.Take(40)));
    }

    private static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>Strings that break naive code: empty, huge, control characters, separators, lone surrogates, other scripts.</summary>
    private static readonly string[] HostileStrings =
    [
        "", " ", "\t", "\0", "\u0001\u001f", "\r\n", "/", "//", "%", "%25", "%zz", "%2F", "#", "?", "..", "../..", "a/b", "a#b", "a?b=c",
        "\ud800", "\udc00x", "😀", "\u202e", "日本語", "ｃａｒｅ", "CARE", "care ", "-", "--", "*", "null", "true", "0", "-1", "1e400",
        "'; drop table", "<script>", "=cmd|' /C calc'!A0", new string('a', 300), new string('x', 5000), "h-" + new string('0', 32),
        "h-" + new string('G', 32), "h-" + new string('0', 31), "\"", "\\", "{}", "[]",
    ];

    private static IEnumerable<string> HostileSegments(Random random, int count)
    {
        foreach (var s in HostileStrings.Where(s => s.Length > 0))
        {
            yield return s;
        }

        for (var i = 0; i < count; i++)
        {
            yield return Pick(random, HostileStrings) + Pick(random, HostileStrings);
        }
    }

    /// <summary>Header values a client can send (visible ASCII and spaces; HTTP forbids CR/LF).</summary>
    private static IEnumerable<string> HostileHeaderValues(Random random, int count)
    {
        string[] fixedValues = ["", " ", "garbage", "\"\"", "\"r1", "r1\"", "\"r1\", \"r2\"", "W/\"r1\"", "\"x1\"", "\"r1x\"", "\"r-0\"", new string('9', 400), "%00", "\\u0000", ",,,", "mia, ana"];
        foreach (var value in fixedValues)
        {
            yield return value;
        }

        for (var i = 0; i < count; i++)
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 60);
            for (var j = 0; j < length; j++)
            {
                builder.Append((char)random.Next(0x20, 0x7f));
            }

            yield return builder.ToString().Trim();
        }
    }

    private static string HostileQuery(Random random, string[] names)
    {
        var parts = new List<string>();
        foreach (var name in names)
        {
            if (random.Next(3) == 0)
            {
                continue;
            }

            var value = random.Next(4) switch
            {
                0 => Pick(random, HostileStrings),
                1 => Pick(random, ["0", "-1", "1", "100", "101", "2147483648", "99999999999999999999", "1.5", "+1", " 2", "0x10", "١٢"]),
                2 => Pick(random, ["2026-11-01", "2026-13-01", "0001-01-01", "9999-12-31", "2026-11-1", "20261101", "2026-11-01T00:00:00Z"]),
                _ => Pick(random, ["open", "all", "resolved", "P1", "p9", "breached", "at-risk", "me", "none", "x", "care", "billing"]),
            };
            parts.Add($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}");
            if (random.Next(6) == 0)
            {
                parts.Add($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(Pick(random, HostileStrings))}");
            }
        }

        return string.Join('&', parts);
    }

    private static IEnumerable<string> HostileBodies(JsonNode document, Random random, int mutations)
    {
        yield return "";
        yield return " ";
        yield return "null";
        yield return "[]";
        yield return "{}";
        yield return "\"text\"";
        yield return "42";
        yield return "{";
        yield return "{\"a\":}";
        yield return "\u0000";
        yield return "{\"x\":\"\\ud800\"}";
        yield return new string('[', 10_000) + new string(']', 10_000);
        yield return "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 201);
        yield return document.ToJsonString().Replace("{", "{\"dup\":1,\"dup\":2,", StringComparison.Ordinal);
        yield return document.ToJsonString() + "garbage";
        for (var i = 0; i < mutations; i++)
        {
            yield return Mutate(document.DeepClone(), random);
        }
    }

    /// <summary>One hostile change at a random place of a JSON document: removed, nulled, retyped, huge, surrogate, deep, duplicated.</summary>
    private static string Mutate(JsonNode document, Random random)
    {
        var places = new List<(JsonNode Parent, object Key)>();
        Collect(document, places);
        if (places.Count == 0)
        {
            return document.ToJsonString();
        }

        var (parent, key) = places[random.Next(places.Count)];
        var kind = random.Next(11);
        if (kind == 10 && parent is JsonObject dupParent && key is string dupKey)
        {
            // Duplicate key, in the same or a different case: JsonNode cannot hold it, so write it by hand.
            var text = dupParent.ToJsonString();
            var twin = random.Next(2) == 0 ? dupKey : dupKey.ToUpperInvariant();
            var marker = Guid.NewGuid().ToString("N");
            dupParent[dupKey] = marker;
            var whole = document.ToJsonString();
            return whole.Replace($"\"{dupKey}\":\"{marker}\"", $"\"{dupKey}\":{Value(text, dupKey)},\"{twin}\":{Value(text, dupKey)}", StringComparison.Ordinal);
        }

        JsonNode? replacement = kind switch
        {
            0 => null,
            1 => JsonValue.Create(Pick(random, HostileStrings)),
            2 => JsonValue.Create(Pick(random, new double[] { -1, 0, 1e15, -1e15, 2147483648, 1.5, double.MaxValue / 2 })),
            3 => new JsonArray(JsonValue.Create(1), null, JsonValue.Create("x")),
            4 => new JsonObject { ["x"] = 1 },
            5 => JsonValue.Create(random.Next(2) == 0),
            6 => JsonValue.Create(Pick(random, ["10675198.00:00:00", "10675199.02:48:05.4775807", "-00:00:01", "366.00:00:00", "365.00:00:00", "00:00:00", "24:00", "99:99", "P1D", "1.00:00:00"])),
            7 => JsonValue.Create(Pick(random, ["ghost", "carre", "crisi", "billing", "*", "P5", "Europe/Nowhere", "../../etc/passwd", "25:00-26:00", "09:00-09:00", "17:00-09:00", "00:00-24:00", "9999-12-31", "0001-01-01", "2026-02-30", "sun", "Mon", "funday"])),
            8 => Deep(random.Next(30, 300)),
            _ => JsonValue.Create("\ud800" + Pick(random, HostileStrings)),
        };
        if (kind == 9 && random.Next(2) == 0)
        {
            // Remove the member or element instead: an omitted list or object must mean empty.
            switch (parent)
            {
                case JsonObject o:
                    o.Remove((string)key);
                    return document.ToJsonString();
                case JsonArray a:
                    a.RemoveAt((int)key);
                    return document.ToJsonString();
            }
        }

        switch (parent)
        {
            case JsonObject o:
                o[(string)key] = replacement;
                break;
            case JsonArray a:
                a[(int)key] = replacement;
                break;
        }

        return document.ToJsonString();
    }

    private static string Value(string objectJson, string key) =>
        JsonNode.Parse(objectJson)![key]?.ToJsonString() ?? "null";

    private static JsonNode Deep(int depth)
    {
        JsonNode node = JsonValue.Create(1);
        for (var i = 0; i < depth; i++)
        {
            node = i % 2 == 0 ? new JsonArray(node) : new JsonObject { ["d"] = node };
        }

        return node;
    }

    private static void Collect(JsonNode node, List<(JsonNode Parent, object Key)> places)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    places.Add((o, key));
                    if (value is not null)
                    {
                        Collect(value, places);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    places.Add((a, i));
                    if (a[i] is { } item)
                    {
                        Collect(item, places);
                    }
                }

                break;
        }
    }
}

/// <summary>A request as a hostile client writes it.</summary>
internal sealed record Hostile(string User, string Method, string Path, string? Body)
{
    public string? IfMatch { get; init; }

    public string? Principal { get; init; }

    public string? Cookie { get; init; }

    public string ContentType { get; init; } = "application/json";

    public override string ToString() =>
        $"{Method} {(Path.Length > 200 ? Path[..200] + "…" : Path)} user={User} if-match={IfMatch} body={(Body is null ? "-" : Body.Length > 200 ? Body[..200] + "…" : Body)}";
}

internal static class HostileClient
{
    public static async Task<(int Status, string? ContentType, string Text)> SendHostileAsync(this ApiHost api, Hostile hostile)
    {
        using var request = new HttpRequestMessage(new HttpMethod(hostile.Method), hostile.Path);
        if (hostile.User.Length > 0)
        {
            request.Headers.TryAddWithoutValidation(Core.Api.WorkApi.DevUserHeader, hostile.User);
        }

        if (hostile.IfMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", hostile.IfMatch);
        }

        if (hostile.Cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", hostile.Cookie);
        }

        if (hostile.Principal is not null)
        {
            request.Headers.TryAddWithoutValidation(ClientPrincipal.HeaderName, hostile.Principal);
        }

        if (hostile.Body is not null)
        {
            request.Content = new StringContent(hostile.Body, Encoding.UTF8);
            request.Content.Headers.Remove("Content-Type");
            request.Content.Headers.TryAddWithoutValidation("Content-Type", hostile.ContentType);
        }

        var response = await api.Http.SendAsync(request);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }
}
