namespace SocialHandoff.Core.Scoring.Sentiment;

/// <summary>
/// Frequent function words of the languages brand mentions most often arrive in besides English
/// (Spanish, Portuguese, French, German, Italian, Dutch), leaving out any that are also English
/// words. Two or more of them, outnumbering the English function words, mark a text as not English.
/// </summary>
internal static class ForeignFunctionWords
{
    public static readonly string[] All =
    [
        // Spanish
        "el", "los", "las", "del", "que", "por", "para", "con", "una", "muy", "pero", "es", "está", "esta",
        "esto", "mi", "su", "sus", "lo", "le", "se", "y", "más", "mas", "ya", "como", "cuando", "porque", "nada",
        "hoy", "gracias", "servicio", "tengo", "tiene", "hay", "ni", "sin", "sobre", "yo", "ese", "eso", "pedido",
        // Portuguese
        "não", "nao", "muito", "uma", "os", "você", "voce", "está", "com", "meu", "minha", "isso", "obrigado",
        "ainda", "já", "são", "sao", "também", "tambem", "foi", "tem", "do", "da", "dos", "das", "em", "um",
        // French
        "le", "les", "des", "est", "et", "je", "pas", "une", "pour", "avec", "très", "tres", "mais", "du", "au",
        "aux", "ce", "cette", "qui", "sur", "dans", "ne", "nous", "vous", "mon", "ma", "mes", "votre", "merci",
        "toujours", "encore", "rien", "jamais", "c'est", "j'ai", "n'est", "été", "ai",
        // German
        "der", "das", "und", "ist", "nicht", "ich", "mit", "sehr", "ein", "eine", "auf", "für", "fur", "auch",
        "nur", "noch", "wie", "aber", "mein", "meine", "sich", "wir", "ihr", "kein", "keine", "wurde", "schon",
        "immer", "danke", "bitte", "den", "dem", "zu", "von", "bei", "nach",
        // Italian
        "il", "che", "non", "della", "è", "sono", "per", "molto", "gli", "questo", "questa", "anche", "ancora", "hanno",
        "grazie", "mio", "perché", "perche", "sempre", "niente",
        // Dutch
        "het", "een", "niet", "ik", "ook", "maar", "wel", "zijn", "nog", "geen", "bij", "naar", "dat", "wat",
    ];
}
