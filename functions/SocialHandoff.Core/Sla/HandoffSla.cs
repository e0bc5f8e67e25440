using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Sla;

/// <summary>The two clocks of a handoff. The value is the short name used in keys and notification ids.</summary>
public enum ClockKind
{
    FirstResponse,
    Resolution,
}

/// <summary>
/// The SLA state a handoff carries: the policy it is timed by (name and policy-set version, fixed
/// when it was created and changed only when the item moves team), its first-response and
/// resolution clocks as segments, and how far the sweep got on each clock (0 = nothing sent yet,
/// 1 = warned, 1 + n = escalation level n notified). Pure and immutable; the store serializes it on
/// the Handoffs row, so issue 5's API actions are one call each. <see cref="Calendar"/> is the calendar
/// its clocks count in (the team's or the policy's), and <see cref="PolicySource"/> and
/// <see cref="CalendarSource"/> say why (<see cref="SlaPolicySources"/>); all three are null on
/// handoffs created before they were recorded, which count in their policy's calendar.
/// </summary>
public sealed record HandoffSla(
    string Team,
    string Priority,
    string PolicyName,
    int PolicyVersion,
    TimeSpan WarnBefore,
    SlaClock FirstResponse,
    SlaClock Resolution,
    int FirstResponseStep,
    int ResolutionStep,
    int Generation,
    string? Calendar = null,
    string? PolicySource = null,
    string? CalendarSource = null)
{
    public static HandoffSla Start(string team, string priority, SlaPolicy policy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new HandoffSla(team, priority, policy.Name, policy.Version, policy.WarnBefore,
            SlaClock.Start(at, policy.FirstResponse), SlaClock.Start(at, policy.Resolution), 0, 0, 0,
            policy.Calendar.Name, policy.Source, policy.CalendarSource);
    }

    public static string Key(ClockKind clock) => clock == ClockKind.FirstResponse ? "fr" : "res";

    public SlaClock Clock(ClockKind clock) => clock == ClockKind.FirstResponse ? FirstResponse : Resolution;

    public int Step(ClockKind clock) => clock == ClockKind.FirstResponse ? FirstResponseStep : ResolutionStep;

    public HandoffSla WithStep(ClockKind clock, int step) =>
        clock == ClockKind.FirstResponse ? this with { FirstResponseStep = step } : this with { ResolutionStep = step };

    /// <summary>"Waiting on customer": the resolution clock stops; the first-response clock is not affected.</summary>
    public HandoffSla Pause(DateTimeOffset at) => this with { Resolution = Resolution.Pause(at) };

    public HandoffSla Resume(DateTimeOffset at) => this with { Resolution = Resolution.Resume(at) };

    /// <summary>The first response was sent: that clock stops for good.</summary>
    public HandoffSla Respond(DateTimeOffset at) => this with { FirstResponse = FirstResponse.Stop(at) };

    /// <summary>Resolving stops every clock (a first response not yet given counts as given now).</summary>
    public HandoffSla Resolve(DateTimeOffset at) => this with { FirstResponse = FirstResponse.Stop(at), Resolution = Resolution.Stop(at) };

    /// <summary>
    /// The item moved to another team: the new team's policy applies to the same clock history
    /// (business time already counted stays counted, under the new calendar), and its warnings and
    /// escalations start again for the new team (a new generation of notification ids).
    /// </summary>
    public HandoffSla MoveTo(string team, SlaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return this with
        {
            Team = team,
            PolicyName = policy.Name,
            PolicyVersion = policy.Version,
            WarnBefore = policy.WarnBefore,
            FirstResponse = FirstResponse.WithTarget(policy.FirstResponse),
            Resolution = Resolution.WithTarget(policy.Resolution),
            FirstResponseStep = 0,
            ResolutionStep = 0,
            Generation = Generation + 1,
            Calendar = policy.Calendar.Name,
            PolicySource = policy.Source,
            CalendarSource = policy.CalendarSource,
        };
    }

    /// <summary>When step <paramref name="step"/> of a clock falls due (0 = warning, 1.. = escalation levels); null when the clock is paused or stopped or there is no such step.</summary>
    public DateTimeOffset? StepTime(ClockKind clock, int step, BusinessCalendar calendar, IReadOnlyList<TimeSpan> levelDelays, bool holdUntilOpen)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(levelDelays);
        var c = Clock(clock);
        if (!c.IsRunning || step > levelDelays.Count)
        {
            return null;
        }

        DateTimeOffset at;
        if (step == 0)
        {
            at = WarnBefore > TimeSpan.Zero && WarnBefore < c.Target ? c.WithTarget(c.Target - WarnBefore).DueAt(calendar)!.Value : c.DueAt(calendar)!.Value;
        }
        else
        {
            at = c.DueAt(calendar)!.Value + levelDelays[step - 1];
        }

        return holdUntilOpen ? calendar.NextOpen(at) : at;
    }

    public string ToJson() => JsonSerializer.Serialize(HandoffSlaJson.From(this), HandoffSlaJsonContext.Default.HandoffSlaJson);

    public static HandoffSla FromJson(string json) =>
        (JsonSerializer.Deserialize(json, HandoffSlaJsonContext.Default.HandoffSlaJson) ?? throw new JsonException("empty SLA state")).ToSla();
}

internal sealed record ClockJson(TimeSpan Target, List<ClockSegment> Segments, DateTimeOffset? StoppedAt)
{
    public static ClockJson From(SlaClock c) => new(c.Target, [.. c.Segments], c.StoppedAt);

    public SlaClock ToClock() => SlaClock.Restore(Target, Segments, StoppedAt);
}

internal sealed record HandoffSlaJson(
    string Team, string Priority, string Policy, int PolicyVersion, TimeSpan WarnBefore, ClockJson FirstResponse, ClockJson Resolution, int FirstResponseStep, int ResolutionStep, int Generation,
    string? Calendar, string? PolicySource, string? CalendarSource)
{
    public static HandoffSlaJson From(HandoffSla s) => new(s.Team, s.Priority, s.PolicyName, s.PolicyVersion, s.WarnBefore, ClockJson.From(s.FirstResponse), ClockJson.From(s.Resolution), s.FirstResponseStep, s.ResolutionStep, s.Generation,
        s.Calendar, s.PolicySource, s.CalendarSource);

    public HandoffSla ToSla() => new(Team, Priority, Policy, PolicyVersion, WarnBefore, FirstResponse.ToClock(), Resolution.ToClock(), FirstResponseStep, ResolutionStep, Generation,
        Calendar, PolicySource, CalendarSource);
}

// Null members are left out, so rows of handoffs that predate them read and write the same.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HandoffSlaJson))]
internal sealed partial class HandoffSlaJsonContext : JsonSerializerContext
{
}
