using System.Text.Json;
using System.Text.RegularExpressions;

namespace SocialHandoff.Integration.Tests;

/// <summary>
/// The parts of X API v2's published OpenAPI spec (version 2.159, components/schemas) that the X
/// source reads, transcribed by hand: the spec's own licence is the X Developer Agreement and Policy,
/// which does not let it be copied into this repository. Each check names the schema it comes from.
/// Returns the violations found; none means the body fits.
/// </summary>
internal static partial class XApiContract
{
    private static readonly string[] ProblemTypes =
    [
        "about:blank",
        "https://api.twitter.com/2/problems/invalid-request",
        "https://api.twitter.com/2/problems/resource-not-found",
        "https://api.twitter.com/2/problems/not-authorized-for-resource",
        "https://api.twitter.com/2/problems/usage-capped",
        "https://api.twitter.com/2/problems/client-forbidden",
    ];

    /// <summary>A response of GET /2/tweets/search/recent: 200 is Get2TweetsSearchRecentResponse, anything else a Problem (application/problem+json).</summary>
    public static List<string> Check(int status, string contentType, string body)
    {
        var errors = new List<string>();
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (status == 200)
        {
            Expect(contentType == "application/json", "200 is application/json", errors);
            SearchResponse(root, errors);
        }
        else
        {
            Expect(contentType == "application/problem+json", $"{status} is application/problem+json", errors);
            Problem(root, "problem", errors);
        }

        return errors;
    }

    // Get2TweetsSearchRecentResponse: data (minItems 1) of Tweet, errors (minItems 1) of Problem, includes (Expansions), meta.
    private static void SearchResponse(JsonElement root, List<string> errors)
    {
        Expect(root.ValueKind == JsonValueKind.Object, "the response is an object", errors);
        if (root.TryGetProperty("data", out var data))
        {
            NonEmptyArray(data, "data", errors);
            foreach (var tweet in data.EnumerateArray())
            {
                Tweet(tweet, errors);
            }
        }

        if (root.TryGetProperty("errors", out var problems))
        {
            NonEmptyArray(problems, "errors", errors);
            foreach (var problem in problems.EnumerateArray())
            {
                Problem(problem, "errors[]", errors);
            }
        }

        if (root.TryGetProperty("includes", out var includes) && includes.TryGetProperty("users", out var users))
        {
            NonEmptyArray(users, "includes.users", errors);
            foreach (var user in users.EnumerateArray())
            {
                // User: required id, name, username.
                foreach (var field in new[] { "id", "name", "username" })
                {
                    Expect(user.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String, $"includes.users[].{field} is a required string", errors);
                }

                // created_at (user.fields): the account's creation, a date-time.
                if (user.TryGetProperty("created_at", out var created))
                {
                    Expect(created.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(created.GetString(), System.Globalization.CultureInfo.InvariantCulture, out _), "includes.users[].created_at is a date-time", errors);
                }
            }
        }

        Expect(root.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object, "meta is an object", errors);
        if (meta.ValueKind == JsonValueKind.Object)
        {
            OptionalString(meta, "newest_id", errors);
            OptionalString(meta, "oldest_id", errors);
            if (meta.TryGetProperty("next_token", out var next))
            {
                Expect(next.ValueKind == JsonValueKind.String && next.GetString()!.Length >= 1, "meta.next_token (NextToken) has minLength 1", errors);
            }

            if (meta.TryGetProperty("result_count", out var count))
            {
                Expect(count.ValueKind == JsonValueKind.Number && count.TryGetInt32(out _), "meta.result_count (ResultCount) is an int32", errors);
            }
        }
    }

    // Tweet: id (TweetId, ^[0-9]{1,19}$), text (TweetText), author_id (UserId), created_at date-time, note_tweet.text (NoteTweetText).
    private static void Tweet(JsonElement tweet, List<string> errors)
    {
        Expect(tweet.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && IdPattern().IsMatch(id.GetString()!), "data[].id matches ^[0-9]{1,19}$", errors);
        Expect(tweet.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String, "data[].text is a string", errors);
        OptionalString(tweet, "author_id", errors);
        if (tweet.TryGetProperty("created_at", out var created))
        {
            Expect(created.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(created.GetString(), System.Globalization.CultureInfo.InvariantCulture, out _), "data[].created_at is a date-time", errors);
        }

        if (tweet.TryGetProperty("note_tweet", out var note))
        {
            Expect(note.ValueKind == JsonValueKind.Object && note.TryGetProperty("text", out var noteText) && noteText.ValueKind == JsonValueKind.String, "data[].note_tweet.text is a string", errors);
        }
    }

    // Problem: required type and title (strings); detail string, status integer; members by type.
    private static void Problem(JsonElement problem, string where, List<string> errors)
    {
        Expect(problem.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String, $"{where}.type is a required string", errors);
        Expect(problem.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String, $"{where}.title is a required string", errors);
        OptionalString(problem, "detail", errors);
        if (problem.TryGetProperty("status", out var status))
        {
            Expect(status.ValueKind == JsonValueKind.Number, $"{where}.status is an integer", errors);
        }

        var kind = type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        Expect(kind is not null && ProblemTypes.Contains(kind), $"{where}.type '{kind}' is one of the spec's problem types this source meets", errors);
        switch (kind)
        {
            case "https://api.twitter.com/2/problems/invalid-request":
                // InvalidRequestProblem: errors (minItems 1) of { message: string, parameters: { name: [string] } }.
                var hasEntries = problem.TryGetProperty("errors", out var entries) && entries.ValueKind == JsonValueKind.Array && entries.GetArrayLength() >= 1;
                Expect(hasEntries, $"{where}.errors has at least one entry", errors);
                foreach (var entry in hasEntries ? entries.EnumerateArray().ToArray() : [])
                {
                    OptionalString(entry, "message", errors);
                    Expect(
                        entry.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                            && parameters.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)),
                        $"{where}.errors[].parameters maps names to arrays of strings",
                        errors);
                }

                break;
            case "https://api.twitter.com/2/problems/resource-not-found":
                // ResourceNotFoundProblem: required parameter (minLength 1), value, resource_id, resource_type (user|tweet|media|list|space).
                foreach (var field in new[] { "parameter", "value", "resource_id", "resource_type" })
                {
                    Expect(problem.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0, $"{where}.{field} is required", errors);
                }

                Expect(problem.TryGetProperty("resource_type", out var resource) && resource.GetString() is "user" or "tweet" or "media" or "list" or "space", $"{where}.resource_type is of the enum", errors);
                break;
            case "https://api.twitter.com/2/problems/usage-capped":
                // UsageCapExceededProblem: period Daily|Monthly, scope Account|Product.
                Expect(problem.TryGetProperty("period", out var period) && period.GetString() is "Daily" or "Monthly", $"{where}.period is Daily or Monthly", errors);
                Expect(problem.TryGetProperty("scope", out var scope) && scope.GetString() is "Account" or "Product", $"{where}.scope is Account or Product", errors);
                break;
        }
    }

    private static void NonEmptyArray(JsonElement value, string name, List<string> errors) =>
        Expect(value.ValueKind == JsonValueKind.Array && value.GetArrayLength() >= 1, $"{name} is an array with minItems 1 (omitted when empty)", errors);

    private static void OptionalString(JsonElement parent, string name, List<string> errors)
    {
        if (parent.TryGetProperty(name, out var value))
        {
            Expect(value.ValueKind == JsonValueKind.String, $"{name} is a string", errors);
        }
    }

    private static void Expect(bool condition, string rule, List<string> errors)
    {
        if (!condition)
        {
            errors.Add(rule);
        }
    }

    [GeneratedRegex("^[0-9]{1,19}$")]
    private static partial Regex IdPattern();
}
