namespace SocialHandoff.Core.Scoring.Sentiment;

/// <summary>
/// Frequent English function words and social-media fillers. A text in Latin script whose words are
/// almost never among these (nor in the sentiment lexicon) is not judged as English.
/// </summary>
internal static class EnglishFunctionWords
{
    public static readonly string[] All =
    [
        "a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because",
        "been", "before", "being", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down",
        "each", "few", "for", "from", "get", "got", "had", "has", "have", "having", "he", "her", "here", "hers",
        "him", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just", "know", "me",
        "my", "no", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own",
        "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
        "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we",
        "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you",
        "your", "yours", "im", "dont", "don't", "can't", "cant", "u", "ur", "lol", "today", "day", "time",
        "going", "go", "one", "new", "make", "see", "think", "want", "need", "still", "back", "last", "night",
        "tomorrow", "yes", "yeah", "ok", "okay", "thanks", "thank", "please", "hey", "hi", "just", "really",
        "much", "more", "again", "never", "always", "been", "ever", "why", "even", "let", "us", "work", "home",
        "order", "account", "phone", "service", "customer", "store", "app", "email", "week", "hours", "minutes",
    ];
}
