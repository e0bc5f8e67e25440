namespace SocialHandoff.Core.Scoring.Sentiment;

/// <summary>
/// Multi-word expressions of customer complaints that VADER's word lexicon cannot see: frustration
/// ("fed up", "sick of"), a service that fails to answer ("never replies", "no response", "still
/// waiting") or to work ("stopped working", "keeps crashing"), and demands ("fix it properly",
/// "sort it out"). Their words are neutral one by one, so a complaint that also names "saved"
/// settings or "support" read as praise. A matched expression counts as one word with the valence
/// below (VADER's -4..+4 scale), replacing the valences of the words inside it.
/// </summary>
/// <remarks>
/// Written from the categories (frustration, non-response, failure, waiting, repetition, demands),
/// not from misread rows. "{a,b}" lists alternatives of one word, so inflections and spellings
/// without an apostrophe are written once. At most <see cref="MaxWords"/> words.
/// </remarks>
internal static class ComplaintIdioms
{
    public const int MaxWords = 4;

    public static readonly (string Pattern, double Valence)[] Frustration =
    [
        ("fed up", -2.2), ("{sick,tired} of", -2.0), ("sick and tired", -2.6), ("had enough", -2.0),
        ("{had,done} it with", -2.0), ("enough is enough", -2.0), ("at my {wits,wit's} end", -2.3),
        ("{last,final} straw", -2.2), ("thanks for nothing", -2.2), ("{what,such} a joke", -1.8),
        ("you {kidding,joking} me", -1.6), ("are you serious", -1.4), ("not {good,acceptable,okay,ok} enough", -2.0),
        ("not {acceptable,impressed,happy,pleased,amused}", -1.9),
        ("waste of {time,money,space}", -2.1), ("{let,letting} {me,us} down", -1.9),
        ("shame on you", -2.2), ("how {hard,difficult} is it", -1.6), ("how many {more,} times", -1.6),
        ("never again", -2.0), ("yet again", -1.3),
        ("lost {all,} {faith,patience}", -2.0), ("losing {all,} {faith,patience}", -2.0),
    ];

    public static readonly (string Pattern, double Valence)[] ServiceFailure =
    [
        ("never {reply,replies,replied,respond,responds,responded,answer,answers,answered}", -2.0),
        ("never {gets,got,get,called,calls,call,rang} {back,me back}", -2.0),
        ("never {arrived,came,showed,turned up,delivered,received}", -1.8),
        ("no {response,reply,replies,answer,answers,help,reaction,update,updates,callback,refund}", -1.6),
        ("{nobody,no one} {replies,replied,answers,answered,responds,responded,helps,helped,cares,called}", -2.0),
        ("still {waiting,broken,nothing,unresolved,down,pending}", -1.6),
        ("still {not,no,isn't,isnt,hasn't,hasnt,haven't,havent} {working,fixed,resolved,sorted,arrived,refunded,response,reply,answer,heard}", -1.8),
        ("{been,kept,left,put} on hold", -1.8), ("on hold for", -1.6), ("been waiting", -1.3),
        ("{hung,hangs,hang} up on", -1.9), ("{waiting,waited} for {hours,days,weeks,months,ages}", -1.6),
        ("{takes,taking,took} forever", -1.5),
        ("{not,stopped,isn't,isnt,aren't,arent} working", -1.6),
        ("{doesn't,doesnt,didn't,didnt,don't,dont,won't,wont} work", -1.6), ("{does,did,do,will} not work", -1.6),
        ("{keeps,kept,keep} {crashing,freezing,failing,dropping,breaking,happening,disconnecting}", -1.8),
        ("{can't,cant,cannot,couldn't,couldnt} {log in,login,sign in,connect}", -1.6),
        ("{can't,cant,cannot,couldn't,couldnt} get {through,a hold,an answer}", -1.6),
        ("{charged,billed} twice", -1.8), ("{double,over} {charged,billed}", -1.8),
        ("want my money back", -1.8), ("{where,wheres,where's} my {refund,order,package,parcel}", -1.5),
        ("{fix,sort} {it,this,that} {properly,already,out,asap,now}", -1.5),
        ("{get,sort} your act together", -1.8), ("get it together", -1.6),
        ("sort {yourselves,yourself} out", -1.6),
        ("{wiped,deleted,erased,lost} my", -1.4),
    ];

    /// <summary>
    /// Product and service nouns whose word is praise in the lexicon ("support" +1.7, "care" +2.2,
    /// "help" +1.7, "saved" +1.8): in a brand mention they name a department or a feature, so the
    /// compound counts as neutral.
    /// </summary>
    public static readonly (string Pattern, double Valence)[] ProductNouns =
    [
        ("{customer,tech,technical,product,online,live,contact} {support,care,help}", 0),
        ("support {team,ticket,tickets,staff,line,desk,page,agent,agents,chat,center,centre}", 0),
        ("help {desk,line,center,centre,page,team}", 0),
        ("saved {settings,data,files,passwords,password,cards,card,games,game,items,progress,searches,addresses,details,payment,messages,photos,preferences}", 0),
    ];

    /// <summary>Every expression written out, with its valence.</summary>
    public static IEnumerable<(string Phrase, double Valence)> Expand()
    {
        foreach (var (pattern, valence) in Frustration.Concat(ServiceFailure).Concat(ProductNouns))
        {
            foreach (var phrase in Expand(pattern))
            {
                yield return (phrase, valence);
            }
        }
    }

    internal static IEnumerable<string> Expand(string pattern)
    {
        var open = pattern.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            yield return pattern;
            yield break;
        }

        var close = pattern.IndexOf('}', open);
        foreach (var choice in pattern[(open + 1)..close].Split(','))
        {
            // An empty choice drops the word ("how many {more,} times").
            var expanded = string.Join(' ', (pattern[..open] + choice + pattern[(close + 1)..]).Split(' ', StringSplitOptions.RemoveEmptyEntries));
            foreach (var phrase in Expand(expanded))
            {
                yield return phrase;
            }
        }
    }
}
