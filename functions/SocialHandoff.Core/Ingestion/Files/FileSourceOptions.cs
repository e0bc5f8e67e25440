using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Ingestion.Files;

/// <summary>Mention exports read by <see cref="FileMentionSource"/>: backfills, and the local runner's sample set.</summary>
public sealed class FileSourceOptions
{
    public const string SectionName = "Sources:Files";

    /// <summary>The exports to read; empty by default.</summary>
    [ValidateEnumeratedItems]
    public List<FileSourceSettings> Exports { get; set; } = [];
}

[OptionsValidator]
internal sealed partial class FileSourceOptionsValidator : IValidateOptions<FileSourceOptions>
{
}

public sealed class FileSourceSettings
{
    /// <summary>Watermark key and default mention source, e.g. "sample" (the source is then "file:sample").</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "File source names are lowercase letters, digits and hyphens.")]
    public string Name { get; set; } = "";

    /// <summary>Path of a .jsonl or .csv export; a relative path is resolved against the current directory.</summary>
    [Required]
    public string Path { get; set; } = "";
}
