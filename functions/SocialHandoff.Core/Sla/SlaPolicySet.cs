using System.Globalization;

namespace SocialHandoff.Core.Sla;

/// <summary>
/// The SLA policies managers own: named calendars, and per team and priority the first-response
/// and resolution targets with a warning lead. Saved as data with a version; a handoff keeps the
/// policy version it was created under.
/// </summary>
public sealed record SlaPolicySet
{
    public int Version { get; init; }

    public string Author { get; init; } = "";

    public DateTimeOffset SavedAt { get; init; }

    public List<CalendarDefinition> Calendars { get; init; } = [];

    public List<SlaPolicyDefinition> Policies { get; init; } = [];
}

/// <summary>
/// Business hours: an IANA time zone, a week of shifts ("mon": ["09:00-12:30", "13:30-17:00"]) and
/// holidays ("2026-12-25"); or <see cref="AlwaysOpen"/>.
/// </summary>
public sealed record CalendarDefinition
{
    public string Name { get; init; } = "";

    public bool AlwaysOpen { get; init; }

    public string TimeZone { get; init; } = "Etc/UTC";

    public Dictionary<string, List<string>> Week { get; init; } = [];

    public List<string> Holidays { get; init; } = [];
}

/// <summary>Targets for one team (or "*" for every team without its own) and one priority (or "*").</summary>
public sealed record SlaPolicyDefinition
{
    public string Name { get; init; } = "";

    public string Team { get; init; } = "*";

    public string Priority { get; init; } = "*";

    public string Calendar { get; init; } = "";

    public TimeSpan FirstResponse { get; init; }

    public TimeSpan Resolution { get; init; }

    public TimeSpan WarnBefore { get; init; }

    /// <summary>
    /// When the clocks start: "handoff" (default: when the mention is handed to the team) or "posted"
    /// (when the customer posted it: they have been waiting since then, including any ingest delay).
    /// </summary>
    public string ClockStart { get; init; } = SlaPolicy.ClockStartHandoff;
}

/// <summary>A resolved policy: the calendar and targets a handoff is timed by, and whether its clocks start at posting time.</summary>
public sealed record SlaPolicy(string Name, int Version, BusinessCalendar Calendar, TimeSpan FirstResponse, TimeSpan Resolution, TimeSpan WarnBefore, bool StartsAtPosting = false)
{
    public const string ClockStartHandoff = "handoff";

    public const string ClockStartPosted = "posted";

    /// <summary>
    /// When a handoff's clocks start: the posting time when the policy says so, otherwise the handoff
    /// time. A posting time after the handoff (a source clock running ahead) counts as the handoff time.
    /// </summary>
    public DateTimeOffset ClockStartFor(DateTimeOffset postedAt, DateTimeOffset handedOffAt) =>
        StartsAtPosting && postedAt < handedOffAt ? postedAt : handedOffAt;
}

/// <summary>A validated policy set; resolves the policy of a team and priority, most specific first.</summary>
public sealed class SlaPolicyBook
{
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

    /// <summary>Every problem, naming the calendar or policy and the field; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(SlaPolicySet set) => Build(set).Errors;

    /// <summary>
    /// The policy for a team and priority: a named policy when given, else team+priority, team+"*",
    /// "*"+priority, then "*"+"*".
    /// </summary>
    public SlaPolicy Resolve(string team, string priority, string? policyName = null)
    {
        var policies = Set.Policies;
        var chosen = (string.IsNullOrEmpty(policyName) ? null : policies.FirstOrDefault(p => p.Name == policyName))
            ?? policies.FirstOrDefault(p => p.Team == team && p.Priority == priority)
            ?? policies.FirstOrDefault(p => p.Team == team && p.Priority == "*")
            ?? policies.FirstOrDefault(p => p.Team == "*" && p.Priority == priority)
            ?? policies.FirstOrDefault(p => p.Team == "*" && p.Priority == "*")
            ?? throw new InvalidOperationException($"No SLA policy covers team '{team}' priority {priority}; add a '*' policy.");
        return new SlaPolicy(chosen.Name, Set.Version, _calendars[chosen.Calendar], chosen.FirstResponse, chosen.Resolution, chosen.WarnBefore,
            string.Equals(chosen.ClockStart, SlaPolicy.ClockStartPosted, StringComparison.OrdinalIgnoreCase));
    }

    private static (Dictionary<string, BusinessCalendar> Calendars, List<string> Errors) Build(SlaPolicySet set)
    {
        var errors = new List<string>();
        var calendars = new Dictionary<string, BusinessCalendar>(StringComparer.Ordinal);
        foreach (var definition in set.Calendars)
        {
            var where = $"calendar '{definition.Name}'";
            if (string.IsNullOrWhiteSpace(definition.Name) || calendars.ContainsKey(definition.Name))
            {
                errors.Add($"{where}: name is required and must be unique.");
                continue;
            }

            if (definition.AlwaysOpen)
            {
                calendars[definition.Name] = BusinessCalendar.AlwaysOpen(definition.Name);
                continue;
            }

            var week = new Dictionary<DayOfWeek, IReadOnlyList<Shift>>();
            foreach (var (day, shifts) in definition.Week)
            {
                if (!Days.TryGetValue(day, out var dayOfWeek))
                {
                    errors.Add($"{where}, week: '{day}' is not a day (mon, tue, wed, thu, fri, sat, sun).");
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
                        errors.Add($"{where}, week.{day}: '{shift}' is not a shift like 09:00-17:00.");
                    }
                }

                week[dayOfWeek] = parsed;
            }

            var holidays = new List<DateOnly>();
            foreach (var holiday in definition.Holidays)
            {
                if (DateOnly.TryParseExact(holiday, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    holidays.Add(date);
                }
                else
                {
                    errors.Add($"{where}, holidays: '{holiday}' is not a date like 2026-12-25.");
                }
            }

            try
            {
                calendars[definition.Name] = BusinessCalendar.Create(definition.Name, definition.TimeZone, week, holidays);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"{where}: {ex.Message.Split(" (Parameter")[0]}");
            }
        }

        var keys = new HashSet<(string, string)>();
        foreach (var policy in set.Policies)
        {
            var where = $"policy '{policy.Name}'";
            if (string.IsNullOrWhiteSpace(policy.Name))
            {
                errors.Add($"{where}: name is required.");
            }

            if (!keys.Add((policy.Team, policy.Priority)))
            {
                errors.Add($"{where}: another policy already covers team '{policy.Team}' priority '{policy.Priority}'.");
            }

            if (!string.Equals(policy.ClockStart, SlaPolicy.ClockStartHandoff, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(policy.ClockStart, SlaPolicy.ClockStartPosted, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{where}, clockStart: '{policy.ClockStart}' must be '{SlaPolicy.ClockStartHandoff}' or '{SlaPolicy.ClockStartPosted}'.");
            }

            if (policy.Priority is not ("*" or "P1" or "P2" or "P3" or "P4"))
            {
                errors.Add($"{where}, priority: '{policy.Priority}' must be P1, P2, P3, P4 or *.");
            }

            if (!calendars.ContainsKey(policy.Calendar) && !set.Calendars.Any(c => c.Name == policy.Calendar))
            {
                errors.Add($"{where}, calendar: '{policy.Calendar}' is not a calendar of this set.");
            }

            if (policy.FirstResponse <= TimeSpan.Zero || policy.Resolution <= TimeSpan.Zero)
            {
                errors.Add($"{where}: firstResponse and resolution must be longer than zero.");
            }
            else if (policy.Resolution < policy.FirstResponse)
            {
                errors.Add($"{where}, resolution: {policy.Resolution} is shorter than firstResponse {policy.FirstResponse}.");
            }

            if (policy.WarnBefore < TimeSpan.Zero || policy.WarnBefore >= policy.FirstResponse)
            {
                errors.Add($"{where}, warnBefore: must be at least zero and shorter than firstResponse.");
            }
        }

        if (!set.Policies.Any(p => p.Team == "*" && p.Priority == "*"))
        {
            errors.Add("policies: one policy must cover team '*' priority '*', so every handoff has a clock.");
        }

        return (calendars, errors);
    }

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
