namespace SocialHandoff.Core.Ingestion.Files;

/// <summary>
/// One line of a mention export (JSONL objects or CSV rows with these column names). Only id, text
/// and postedAt are required. <c>source</c> defaults to the file source's name; set it to "x" when
/// back-filling X mentions so that live polling and the backfill dedupe against each other.
/// </summary>
public sealed record ExportedMention(
    string? Id,
    string? Text,
    DateTimeOffset? PostedAt,
    string? Source = null,
    string? Lang = null,
    string? AuthorId = null,
    string? Handle = null,
    string? Name = null,
    long? Followers = null,
    bool? Verified = null,
    long? Likes = null,
    long? Reposts = null,
    long? Replies = null,
    long? Quotes = null,
    string? Url = null,
    string? Brand = null,
    DateTimeOffset? AuthorCreatedAt = null);
