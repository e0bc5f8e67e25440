using System.Globalization;
using System.Text.Json;

namespace SocialHandoff.Core.Api;

/// <summary>
/// What the typed reader would not say clearly, found before it runs: a key given twice (the reader
/// keeps the last; the API reads names case-insensitively, so "team" and "Team" are the same key),
/// a null inside a list (the engines would trip over it deep inside), and text that is not valid
/// UTF-16 (an escaped lone surrogate, which the reader throws on and storage refuses).
/// </summary>
internal static class JsonBodyCheck
{
    /// <summary>Nesting deeper than any document of this API; deeper is refused as unreadable.</summary>
    public const int MaxDepth = 32;

    /// <summary>The first problem as (field path, message), or null. Throws <see cref="JsonException"/> when the text is not JSON.</summary>
    public static (string Field, string Message)? Find(string body)
    {
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
        return Walk(document.RootElement, "");
    }

    private static (string Field, string Message)? Walk(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in element.EnumerateObject())
                {
                    if (!TryText(() => property.Name, out var name))
                    {
                        return (Join(path, "?"), "has a name that is not valid text (an unpaired UTF-16 surrogate).");
                    }

                    var at = Join(path, name);
                    if (!names.Add(name))
                    {
                        return (at, "is given more than once (names are case-insensitive); send it once.");
                    }

                    if (Walk(property.Value, at) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var at = string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]");
                    if (item.ValueKind == JsonValueKind.Null)
                    {
                        return (at, "must not be null.");
                    }

                    if (Walk(item, at) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.String:
                return TryText(element.GetString, out _) ? null : (Field(path), "is not valid text (an unpaired UTF-16 surrogate).");
            default:
                return null;
        }
    }

    private static bool TryText(Func<string?> read, out string text)
    {
        try
        {
            text = read() ?? "";
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Field(string path) => path.Length == 0 ? "body" : path;
}
