using System.Globalization;
using System.Text.Json.Serialization;
using SocialHandoff.Core.Routing.Rules;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Sla;

/// <summary>
/// The SLA policies managers own: named calendars, and per team and priority the first-response
/// and resolution targets with a warning lead. Saved as data with a version; a handoff keeps the
/// policy version it was created under. Members use <c>set</c>, not <c>init</c>, so an omitted one
/// keeps its default when read from JSON (see <see cref="Routing.Rules.RuleSet"/>).
/// </summary>
public sealed record SlaPolicySet
{
    public int Version { get; set; }

    public string Author { get; set; } = "";

    public DateTimeOffset SavedAt { get; set; }

    public List<CalendarDefinition> Calendars { get; set; } = [];

    public List<SlaPolicyDefinition> Policies { get; set; } = [];
}

/// <summary>
/// Business hours: an IANA time zone, a week of shifts ("mon": ["09:00-12:30", "13:30-17:00"]) and
/// holidays ("2026-12-25"); or <see cref="AlwaysOpen"/>.
/// </summary>
public sealed record CalendarDefinition
{
    public string Name { get; set; } = "";

    public bool AlwaysOpen { get; set; }

    public string TimeZone { get; set; } = "Etc/UTC";

    public Dictionary<string, List<string>> Week { get; set; } = [];

    public List<string> Holidays { get; set; } = [];
}

/// <summary>Targets for one team (or "*" for every team without its own) and one priority (or "*").</summary>
public sealed record SlaPolicyDefinition
{
    public string Name { get; set; } = "";

    public string Team { get; set; } = "*";

    public string Priority { get; set; } = "*";

    public string Calendar { get; set; } = "";

    [JsonConverter(typeof(SlaDurationJsonConverter))]
    public TimeSpan FirstResponse { get; set; }

    [JsonConverter(typeof(SlaDurationJsonConverter))]
    public TimeSpan Resolution { get; set; }

    [JsonConverter(typeof(SlaDurationJsonConverter))]
    public TimeSpan WarnBefore { get; set; }

    /// <summary>
    /// When the clocks start: "handoff" (default: when the mention is handed to the team) or "posted"
    /// (when the customer posted it: they have been waiting since then, including any ingest delay).
    /// </summary>
    public string ClockStart { get; set; } = SlaPolicy.ClockStartHandoff;
}

/// <summary>A resolved policy: the calendar and targets a handoff is timed by, and whether its clocks start at posting time.</summary>
public sealed record SlaPolicy(string Name, int Version, BusinessCalendar Calendar, TimeSpan FirstResponse, TimeSpan Resolution, TimeSpan WarnBefore, bool StartsAtPosting = false)
{
    public const string ClockStartHandoff = "handoff";

    public const string ClockStartPosted = "posted";

    /// <summary>Why this policy applies: one of <see cref="SlaPolicySources"/>.</summary>
    public string Source { get; init; } = SlaPolicySources.Default;

    /// <summary>Why this calendar: <see cref="SlaPolicySources.CalendarOfTeam"/> when the team's directory entry set it, else <see cref="SlaPolicySources.CalendarOfPolicy"/>.</summary>
    public string CalendarSource { get; init; } = SlaPolicySources.CalendarOfPolicy;

    /// <summary>
    /// When a handoff's clocks start: the posting time when the policy says so, otherwise the handoff
    /// time. A posting time after the handoff (a source clock running ahead) counts as the handoff time.
    /// </summary>
    public DateTimeOffset ClockStartFor(DateTimeOffset postedAt, DateTimeOffset handedOffAt) =>
        StartsAtPosting && postedAt < handedOffAt ? postedAt : handedOffAt;
}

/// <summary>Why a handoff is timed by its policy and calendar, as recorded on it and shown in its detail.</summary>
public static class SlaPolicySources
{
    public const string Rule = "rule";
    public const string TeamAndPriority = "team and priority";
    public const string Team = "team";
    public const string TeamDefault = "team default";
    public const string Priority = "priority";
    public const string Default = "default";

    public const string CalendarOfPolicy = "policy";
    public const string CalendarOfTeam = "team calendar";
}

/// <summary>
/// What the team directory says about a team's timing (its entry's DefaultPolicy and Calendar), passed
/// in so the policy book stays pure. Either may be null.
/// </summary>
public sealed record SlaTeamDefaults(string? DefaultPolicy, string? Calendar);

/// <summary>
/// What a policy set may name, as it stands when a manager validates or saves: the teams that exist,
/// and the policies the rule set in force names (policy -> rule), which must stay.
/// </summary>
public sealed record SlaReferences(IReadOnlySet<string> Teams, IReadOnlyDictionary<string, string> PoliciesNamedByRules);

/// <summary>
/// One problem in a policy set: the field path the form shows it at ("policies[2].firstResponse",
/// "calendars[0].week.mon"), where it is in words ("policy 'care-p1', firstResponse") and what is wrong.
/// </summary>
public sealed record SlaError(string Field, string Where, string Message)
{
    public override string ToString() => $"{Where}: {Message}";
}

/// <summary>A validated policy set; resolves the policy of a team and priority, most specific first.</summary>
public sealed class SlaPolicyBook
{
    /// <summary>The longest first-response, resolution or warning time a policy may set: a year is far beyond any service level and keeps every due time computable.</summary>
    public static readonly TimeSpan MaxTarget = TimeSpan.FromDays(365);

    /// <summary>Holidays one calendar may list (decades of them).</summary>
    public const int MaxHolidays = 1000;

    /// <summary>"Did you mean" suggestions one validation makes at most.</summary>
    private const int MaxSuggestions = 20;

    /// <summary>Shifts one day may have.</summary>
    public const int MaxShiftsPerDay = 24;

    private static readonly Dictionary<string, DayOfWeek> Days = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mon"] = DayOfWeek.Monday, ["tue"] = DayOfWeek.Tuesday, ["wed"] = DayOfWeek.Wednesday, ["thu"] = DayOfWeek.Thursday,
        ["fri"] = DayOfWeek.Friday, ["sat"] = DayOfWeek.Saturday, ["sun"] = DayOfWeek.Sunday,
    };

    private readonly Dictionary<string, BusinessCalendar> _calendars;

    private SlaPolicyBook(SlaPolicySet set, Dictionary<string, BusinessCalendar> calendars)
    {
        Set = set;
        _calendars = calendars;
    }

    public SlaPolicySet Set { get; }

    /// <summary>Validates and compiles; a set with any error is refused, whole, with every error.</summary>
    public static SlaPolicyBook Compile(SlaPolicySet set)
    {
        var (calendars, errors) = Build(set);
        if (errors.Count > 0)
        {
            throw new ArgumentException("The SLA policy set is invalid: " + string.Join("; ", errors));
        }

        return new SlaPolicyBook(set, calendars);
    }

    /// <summary>
    /// Every problem, naming the calendar or policy and the field; empty when valid. With
    /// <paramref name="references"/>, a team that does not exist, or dropping a policy a rule names, is an error too.
    /// </summary>
    public static IReadOnlyList<string> Validate(SlaPolicySet set, SlaReferences? references = null) =>
        [.. Check(set, references).Select(e => e.ToString())];

    /// <summary>The same problems as <see cref="Validate"/>, each with the field path the form shows it at.</summary>
    public static IReadOnlyList<SlaError> Check(SlaPolicySet set, SlaReferences? references = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        var errors = Build(set).Errors;
        if (references is not null)
        {
            foreach (var (policy, i) in set.Policies.Select((p, i) => (p, i)).Where(x => x.p.Team != "*" && StorageNames.IsValidTeamName(x.p.Team) && !references.Teams.Contains(x.p.Team)))
            {
                errors.Add(new SlaError(F($"policies[{i}].team"), $"policy '{policy.Name}', team", $"'{policy.Team}' is not a team that exists; {DidYouMean.Hint(policy.Team, [.. references.Teams])}"));
            }

            foreach (var (name, rule) in references.PoliciesNamedByRules.Where(r => !set.Policies.Any(p => p.Name == r.Key)))
            {
                errors.Add(new SlaError("policies", "policies", $"'{name}' is named by rule '{rule}' of the rules in force; keep it or change that rule first."));
            }
        }

        return errors;
    }

    /// <summary>
    /// The policy for a team and priority, first match wins: the policy <paramref name="policyName"/>
    /// names (a routing rule's), the set's team+priority policy, team+"*", the team's default policy
    /// from the directory (<paramref name="team"/>'s <see cref="SlaTeamDefaults.DefaultPolicy"/>),
    /// "*"+priority, then "*"+"*". A name this set does not have is skipped. The team's calendar, when
    /// it has one in this set, times the handoff instead of the policy's (unless the resolution target
    /// could not be met on it within three years, which validation checks only for the policy's own).
    /// </summary>
    public SlaPolicy Resolve(string team, string priority, string? policyName = null, SlaTeamDefaults? teamDefaults = null)
    {
        var policies = Set.Policies;
        SlaPolicyDefinition? Named(string? name) => string.IsNullOrEmpty(name) ? null : policies.FirstOrDefault(p => p.Name == name);
        var (chosen, source) = Named(policyName) is { } named ? (named, SlaPolicySources.Rule)
            : policies.FirstOrDefault(p => p.Team == team && p.Priority == priority) is { } teamAndPriority ? (teamAndPriority, SlaPolicySources.TeamAndPriority)
            : policies.FirstOrDefault(p => p.Team == team && p.Priority == "*") is { } teamOnly ? (teamOnly, SlaPolicySources.Team)
            : Named(teamDefaults?.DefaultPolicy) is { } teamDefault ? (teamDefault, SlaPolicySources.TeamDefault)
            : policies.FirstOrDefault(p => p.Team == "*" && p.Priority == priority) is { } byPriority ? (byPriority, SlaPolicySources.Priority)
            : policies.FirstOrDefault(p => p.Team == "*" && p.Priority == "*") is { } fallback ? (fallback, SlaPolicySources.Default)
            : throw new InvalidOperationException($"No SLA policy covers team '{team}' priority {priority}; add a '*' policy.");
        var calendar = _calendars[chosen.Calendar];
        var calendarSource = SlaPolicySources.CalendarOfPolicy;
        if (teamDefaults?.Calendar is { } teamCalendar && _calendars.TryGetValue(teamCalendar, out var ofTeam) && chosen.Resolution <= ofTeam.GuaranteedOpenTime)
        {
            calendar = ofTeam;
            calendarSource = SlaPolicySources.CalendarOfTeam;
        }

        return new SlaPolicy(chosen.Name, Set.Version, calendar, chosen.FirstResponse, chosen.Resolution, chosen.WarnBefore,
            string.Equals(chosen.ClockStart, SlaPolicy.ClockStartPosted, StringComparison.OrdinalIgnoreCase))
        {
            Source = source,
            CalendarSource = calendarSource,
        };
    }

    /// <summary>
    /// The calendar a handoff's clocks count in: the one recorded on it when this set has it, else its
    /// policy's (handoffs created before the calendar was recorded).
    /// </summary>
    public BusinessCalendar CalendarFor(HandoffSla sla)
    {
        ArgumentNullException.ThrowIfNull(sla);
        return sla.Calendar is { } name && _calendars.TryGetValue(name, out var recorded)
            ? recorded
            : Resolve(sla.Team, sla.Priority, sla.PolicyName).Calendar;
    }

    /// <summary>Whether a policy of this set has the given name (a handoff timed by a named policy keeps it when that name is still there).</summary>
    public bool HasPolicy(string name) => Set.Policies.Any(p => p.Name == name);

    private static (Dictionary<string, BusinessCalendar> Calendars, List<SlaError> Errors) Build(SlaPolicySet set)
    {
        var errors = new List<SlaError>();
        var calendars = new Dictionary<string, BusinessCalendar>(StringComparer.Ordinal);

        // "Did you mean" compares with every known name; a hostile document of thousands of misspellings gets it for the first few only.
        var hints = 0;
        string? Suggest(string value, IEnumerable<string> known) => hints++ < MaxSuggestions ? DidYouMean.Closest(value, known) : null;
        for (var ci = 0; ci < set.Calendars.Count; ci++)
        {
            var definition = set.Calendars[ci];
            var at = F($"calendars[{ci}]");
            var where = $"calendar '{definition.Name}'";
            if (string.IsNullOrWhiteSpace(definition.Name) || calendars.ContainsKey(definition.Name))
            {
                errors.Add(new SlaError(at + ".name", where, "name is required and must be unique."));
                continue;
            }

            if (definition.AlwaysOpen)
            {
                calendars[definition.Name] = BusinessCalendar.AlwaysOpen(definition.Name);
                continue;
            }

            var before = errors.Count;
            if (!IsZoneId(definition.TimeZone))
            {
                errors.Add(new SlaError(at + ".timeZone", where + ", timeZone", $"'{definition.TimeZone}' is not an IANA time zone id such as 'Europe/London'."));
                continue;
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(definition.TimeZone, out _))
            {
                var close = Suggest(definition.TimeZone, TimeZones.Value);
                errors.Add(new SlaError(at + ".timeZone", where, $"time zone '{definition.TimeZone}' is not known{(close is null ? "" : $"; did you mean '{close}'?")} (pick an IANA id such as 'Europe/London')."));
                continue;
            }

            var week = new Dictionary<DayOfWeek, IReadOnlyList<Shift>>();
            foreach (var (day, shifts) in definition.Week)
            {
                var dayAt = $"{at}.week.{day}";
                var dayWhere = $"{where}, week.{day}";
                if (!Days.TryGetValue(day, out var dayOfWeek))
                {
                    errors.Add(new SlaError(at + ".week", where + ", week", $"'{day}' is not a day (mon, tue, wed, thu, fri, sat, sun)."));
                    continue;
                }

                // The JSON reader does not refuse a null inside a dictionary; a day must list its shifts.
                if (shifts is null || shifts.Count > MaxShiftsPerDay)
                {
                    errors.Add(new SlaError(dayAt, dayWhere, $"must be a list of at most {MaxShiftsPerDay} shifts like [\"09:00-17:00\"]."));
                    continue;
                }

                if (week.ContainsKey(dayOfWeek))
                {
                    errors.Add(new SlaError(dayAt, dayWhere, "the day is listed twice."));
                    continue;
                }

                var parsed = new List<Shift>();
                foreach (var shift in shifts)
                {
                    var parts = shift.Split('-');
                    if (parts.Length == 2
                        && TimeOnly.TryParseExact(parts[0].Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
                        && TryParseEnd(parts[1].Trim(), out var end))
                    {
                        parsed.Add(new Shift(start, end));
                    }
                    else
                    {
                        errors.Add(new SlaError(dayAt, dayWhere, $"'{shift}' is not a shift like 09:00-17:00."));
                    }
                }

                // Said here, at the day, rather than by the calendar's constructor, so the form can show it beside that day's shifts.
                var ordered = parsed.OrderBy(s => s.Start).ToList();
                for (var k = 0; k < ordered.Count; k++)
                {
                    if (ordered[k].End <= ordered[k].Start)
                    {
                        errors.Add(new SlaError(dayAt, dayWhere, $"the shift {Text(ordered[k])} must end after it starts (split a shift that crosses midnight in two)."));
                    }
                    else if (k > 0 && ordered[k].Start < ordered[k - 1].End && ordered[k - 1].End > ordered[k - 1].Start)
                    {
                        errors.Add(new SlaError(dayAt, dayWhere, $"shifts {Text(ordered[k - 1])} and {Text(ordered[k])} overlap."));
                    }
                }

                week[dayOfWeek] = parsed;
            }

            if (definition.Holidays.Count > MaxHolidays)
            {
                errors.Add(new SlaError(at + ".holidays", where + ", holidays", $"at most {MaxHolidays} dates (got {definition.Holidays.Count})."));
                continue;
            }

            var holidays = new List<DateOnly>();
            for (var hi = 0; hi < definition.Holidays.Count; hi++)
            {
                var holiday = definition.Holidays[hi];
                if (DateOnly.TryParseExact(holiday, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    holidays.Add(date);
                }
                else
                {
                    errors.Add(new SlaError(F($"{at}.holidays[{hi}]"), where + ", holidays", $"'{holiday}' is not a date like 2026-12-25."));
                }
            }

            if (errors.Count > before)
            {
                continue;
            }

            if (week.Values.All(d => d.Count == 0))
            {
                errors.Add(new SlaError(at + ".week", where, "has no working hours in its week; add shifts or make it open 24/7."));
                continue;
            }

            try
            {
                var calendar = BusinessCalendar.Create(definition.Name, definition.TimeZone, week, holidays);
                if (calendar.GuaranteedOpenTime <= TimeSpan.Zero)
                {
                    errors.Add(new SlaError(at + ".holidays", where + ", holidays", "they leave no working time in some three-year span; remove some."));
                }

                calendars[definition.Name] = calendar;
            }
            catch (ArgumentException ex)
            {
                errors.Add(new SlaError(at, where, ex.Message.Split(" (Parameter")[0]));
            }
        }

        var keys = new Dictionary<(string, string), string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var pi = 0; pi < set.Policies.Count; pi++)
        {
            var policy = set.Policies[pi];
            var at = F($"policies[{pi}]");
            var where = $"policy '{policy.Name}'";
            if (string.IsNullOrWhiteSpace(policy.Name))
            {
                errors.Add(new SlaError(at + ".name", where, "name is required."));
            }
            else if (!names.Add(policy.Name))
            {
                errors.Add(new SlaError(at + ".name", where, "name is used by another policy; names must be unique (rules name policies)."));
            }

            if (policy.Team != "*" && !StorageNames.IsValidTeamName(policy.Team))
            {
                errors.Add(new SlaError(at + ".team", where + ", team", $"'{policy.Team}' must be * or a team name (lowercase letters, digits, hyphens)."));
            }

            foreach (var (field, value) in new[] { ("firstResponse", policy.FirstResponse), ("resolution", policy.Resolution), ("warnBefore", policy.WarnBefore) })
            {
                if (value > MaxTarget)
                {
                    errors.Add(new SlaError($"{at}.{field}", $"{where}, {field}", $"{SlaDuration.Format(value)} is longer than the {MaxTarget.TotalDays:0} days a policy may set."));
                }
            }

            if (calendars.TryGetValue(policy.Calendar, out var timedBy) && policy.Resolution <= MaxTarget && policy.Resolution > timedBy.GuaranteedOpenTime)
            {
                errors.Add(new SlaError(at + ".resolution", where + ", resolution", $"{SlaDuration.Format(policy.Resolution)} of business time is more than calendar '{policy.Calendar}' is surely open within three years ({timedBy.GuaranteedOpenTime.TotalHours:0} hours), so no due time could be computed; shorten it or open the calendar longer."));
            }

            if (keys.TryGetValue((policy.Team, policy.Priority), out var other))
            {
                errors.Add(new SlaError(at + ".priority", where, $"another policy ('{other}') already covers team '{policy.Team}' priority '{policy.Priority}'."));
            }
            else
            {
                keys[(policy.Team, policy.Priority)] = policy.Name;
            }

            if (!string.Equals(policy.ClockStart, SlaPolicy.ClockStartHandoff, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(policy.ClockStart, SlaPolicy.ClockStartPosted, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new SlaError(at + ".clockStart", where + ", clockStart", $"'{policy.ClockStart}' must be '{SlaPolicy.ClockStartHandoff}' or '{SlaPolicy.ClockStartPosted}'."));
            }

            if (policy.Priority is not ("*" or "P1" or "P2" or "P3" or "P4"))
            {
                errors.Add(new SlaError(at + ".priority", where + ", priority", $"'{policy.Priority}' must be P1, P2, P3, P4 or *."));
            }

            if (!calendars.ContainsKey(policy.Calendar) && !set.Calendars.Any(c => c.Name == policy.Calendar))
            {
                var close = Suggest(policy.Calendar, set.Calendars.Select(c => c.Name));
                errors.Add(new SlaError(at + ".calendar", where + ", calendar", $"'{policy.Calendar}' is not a calendar of this set.{(close is null ? "" : $" Did you mean '{close}'?")}"));
            }

            if (policy.FirstResponse <= TimeSpan.Zero || policy.Resolution <= TimeSpan.Zero)
            {
                errors.Add(new SlaError(at + (policy.FirstResponse <= TimeSpan.Zero ? ".firstResponse" : ".resolution"), where, "firstResponse and resolution must be longer than zero."));
            }
            else if (policy.Resolution < policy.FirstResponse)
            {
                errors.Add(new SlaError(at + ".resolution", where + ", resolution", $"{SlaDuration.Format(policy.Resolution)} is shorter than the first response target ({SlaDuration.Format(policy.FirstResponse)}); a handoff is answered before it is resolved."));
            }

            if (policy.WarnBefore < TimeSpan.Zero || policy.WarnBefore >= policy.FirstResponse)
            {
                errors.Add(new SlaError(at + ".warnBefore", where + ", warnBefore", policy.FirstResponse > TimeSpan.Zero
                    ? $"must be at least zero and shorter than firstResponse ({SlaDuration.Format(policy.FirstResponse)}): the warning comes before the first response is due."
                    : "must be at least zero and shorter than firstResponse."));
            }
        }

        if (!set.Policies.Any(p => p.Team == "*" && p.Priority == "*"))
        {
            errors.Add(new SlaError("policies", "policies", "one policy must cover team '*' priority '*', so every handoff has a clock."));
        }

        return (calendars, errors);
    }

    /// <summary>The IANA time zones this machine knows, for "did you mean" and the form's picker.</summary>
    public static IReadOnlyList<string> KnownTimeZones() => TimeZones.Value;

    private static readonly Lazy<IReadOnlyList<string>> TimeZones = new(() =>
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var zone in TimeZoneInfo.GetSystemTimeZones())
        {
            // Windows lists its own ids; the policy documents use IANA ids everywhere.
            if (zone.HasIanaId)
            {
                ids.Add(zone.Id);
            }
            else if (TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana))
            {
                ids.Add(iana);
            }
        }

        ids.Add("Etc/UTC");
        return [.. ids];
    });

    private static string Text(Shift shift) =>
        shift.Start.ToString("HH:mm", CultureInfo.InvariantCulture) + "-" + (shift.End == TimeOnly.MaxValue ? "24:00" : shift.End.ToString("HH:mm", CultureInfo.InvariantCulture));

    private static string F(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    // IANA ids are short paths of letters, digits and _ + - (Europe/London, Etc/GMT+5); nothing else reaches the zone database.
    private static bool IsZoneId(string id) =>
        id is { Length: > 0 and <= 64 } && !id.Contains("..", StringComparison.Ordinal) && !id.StartsWith('/')
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '+' or '-');

    private static bool TryParseEnd(string text, out TimeOnly end)
    {
        if (text == "24:00")
        {
            end = TimeOnly.MaxValue;
            return true;
        }

        return TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out end);
    }
}
