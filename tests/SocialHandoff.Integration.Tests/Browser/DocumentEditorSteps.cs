using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// The steps the rules and SLA editor tests share, as a manager takes them (role and label locators):
/// the Advanced switch's JSON round trip, and a field's plain error and its fix. Both editors are
/// built on the same dashboard base (form-editor.js), so they are checked by the same steps.
/// </summary>
/// <param name="editor">The editor's region ("Routing rules", "SLA policies and calendars").</param>
/// <param name="jsonLabel">The label of its JSON text box in Advanced mode.</param>
internal sealed class DocumentEditorSteps(ILocator editor, string jsonLabel)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public ILocator Editor { get; } = editor;

    /// <summary>The routing rules editor of the manager page.</summary>
    public static DocumentEditorSteps Rules(IPage page) =>
        new(page.GetByRole(AriaRole.Region, new() { Name = "Routing rules" }), "The routing rules as JSON");

    /// <summary>The SLA policies and calendars editor of the manager page.</summary>
    public static DocumentEditorSteps Sla(IPage page) =>
        new(page.GetByRole(AriaRole.Region, new() { Name = "SLA policies and calendars" }), "The SLA policies as JSON");

    public ILocator Advanced => Editor.GetByRole(AriaRole.Switch, new() { Name = "Advanced: edit as JSON" });

    public ILocator Json => Editor.GetByLabel(jsonLabel);

    /// <summary>
    /// Switches to JSON and back twice (the text must equal <paramref name="stored"/> and not change),
    /// then types <paramref name="own"/> (keys in another order, fields left out), lets
    /// <paramref name="formShows"/> check the form drawn from it, and reads the JSON again: the same
    /// keys in the same order with the same values.
    /// </summary>
    public async Task AssertJsonRoundTripsAsync(JsonNode? stored, string own, Func<ILocator, Task> formShows)
    {
        ArgumentNullException.ThrowIfNull(formShows);
        await Advanced.CheckAsync();
        var first = await Json.InputValueAsync();
        await Advanced.UncheckAsync();
        await Advanced.CheckAsync();
        var second = await Json.InputValueAsync();
        var canonical = JsonNode.Parse(own)!.ToJsonString(Indented);
        await Json.FillAsync(canonical);
        await Advanced.UncheckAsync();
        await formShows(Editor);
        await Advanced.CheckAsync();
        var third = await Json.InputValueAsync();

        Assert.True(JsonNode.DeepEquals(stored, JsonNode.Parse(first)), first);
        Assert.Equal(first, second);
        // Whitespace is the browser's JSON.stringify(…, null, 2); order and values must be the typed ones.
        Assert.Equal(JsonNode.Parse(canonical)!.ToJsonString(), JsonNode.Parse(third)!.ToJsonString());
    }

    /// <summary>The field is marked invalid and its accessible description is the plain message.</summary>
    public static async Task ExpectErrorAtAsync(ILocator field, string message)
    {
        await Expect(field).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(field).ToHaveAccessibleDescriptionAsync(message);
    }

    /// <inheritdoc cref="ExpectErrorAtAsync(ILocator, string)"/>
    public static async Task ExpectErrorAtAsync(ILocator field, Regex message)
    {
        await Expect(field).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(field).ToHaveAccessibleDescriptionAsync(message);
    }

    /// <summary>The count under the form ("1 problem to fix before saving.").</summary>
    public Task ExpectProblemsAsync(int count) =>
        Expect(Editor.GetByText($"{count} problem{(count == 1 ? "" : "s")} to fix before saving.")).ToBeVisibleAsync();

    /// <summary>The field is no longer invalid and the whole document checks clean.</summary>
    public async Task ExpectFixedAsync(ILocator field)
    {
        await Expect(field).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Editor.GetByText("No problems found.")).ToBeVisibleAsync();
    }
}
