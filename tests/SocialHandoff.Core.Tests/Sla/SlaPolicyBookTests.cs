using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Tests.Sla;

public sealed class SlaPolicyBookTests
{
    private static SlaPolicySet Set(params SlaPolicyDefinition[] policies) => new()
    {
        Version = 7,
        Calendars =
        [
            new CalendarDefinition { Name = "uk-office", TimeZone = "Europe/London", Week = new() { ["mon"] = ["09:00-12:30", "13:30-17:00"], ["fri"] = ["09:00-17:00"] }, Holidays = ["2026-12-25"] },
            new CalendarDefinition { Name = "always", AlwaysOpen = true },
        ],
        Policies = [.. policies],
    };

    private static SlaPolicyDefinition Policy(string name, string team, string priority, string calendar = "uk-office", int firstMinutes = 60, int resolutionMinutes = 480, int warnMinutes = 15) =>
        new() { Name = name, Team = team, Priority = priority, Calendar = calendar, FirstResponse = TimeSpan.FromMinutes(firstMinutes), Resolution = TimeSpan.FromMinutes(resolutionMinutes), WarnBefore = TimeSpan.FromMinutes(warnMinutes) };

    [Fact]
    public void Resolve_MostSpecificPolicyFirst()
    {
        var book = SlaPolicyBook.Compile(Set(
            Policy("fallback", "*", "*"),
            Policy("p1 anywhere", "*", "P1", "always", 15, 240, 5),
            Policy("care", "care", "*", firstMinutes: 120, resolutionMinutes: 960),
            Policy("care p1", "care", "P1", "always", 10, 120, 2)));
        Assert.Equal("care p1", book.Resolve("care", "P1").Name);
        Assert.Equal("care", book.Resolve("care", "P3").Name);
        Assert.Equal("p1 anywhere", book.Resolve("pr", "P1").Name);
        Assert.Equal("fallback", book.Resolve("pr", "P4").Name);
        Assert.Equal("fallback", book.Resolve("care", "P1", "fallback").Name);
        Assert.Equal(7, book.Resolve("pr", "P4").Version);
        Assert.True(book.Resolve("care", "P1").Calendar.IsAlwaysOpen);
    }

    [Theory]
    [InlineData("care", "P1", "named", "rule")]
    [InlineData("care", "P1", null, "care p1")]
    [InlineData("care", "P3", null, "care")]
    [InlineData("billing", "P3", null, "billing default")]
    [InlineData("billing", "P1", null, "billing default")]
    [InlineData("pr", "P1", null, "p1 anywhere")]
    [InlineData("pr", "P4", null, "fallback")]
    [InlineData("billing", "P1", "named", "rule")]
    [InlineData("billing", "P1", "no-such-policy", "billing default")]
    public void Resolve_TeamDefaultPolicy_BetweenTeamPoliciesAndWildcards(string team, string priority, string? named, string expected)
    {
        // billing has no policy of its own in the set; its directory entry names "billing default".
        var book = SlaPolicyBook.Compile(Set(
            Policy("fallback", "*", "*"),
            Policy("p1 anywhere", "*", "P1", "always", 15, 240, 5),
            Policy("care", "care", "*"),
            Policy("care p1", "care", "P1", "always", 10, 120, 2),
            Policy("billing default", "billing-x", "*", firstMinutes: 30),
            Policy("named", "named-x", "*", firstMinutes: 45)));
        var defaults = new Dictionary<string, SlaTeamDefaults>
        {
            ["care"] = new("billing default", null),
            ["billing"] = new("billing default", null),
            ["pr"] = new("no-such-policy", null),
        };

        var policy = book.Resolve(team, priority, named, defaults.GetValueOrDefault(team));

        Assert.Equal(expected == "rule" ? named : expected, policy.Name);
        Assert.Equal(
            expected switch
            {
                "rule" => SlaPolicySources.Rule,
                "care p1" => SlaPolicySources.TeamAndPriority,
                "care" => SlaPolicySources.Team,
                "billing default" => SlaPolicySources.TeamDefault,
                "p1 anywhere" => SlaPolicySources.Priority,
                _ => SlaPolicySources.Default,
            },
            policy.Source);
    }

    [Fact]
    public void Resolve_TeamCalendar_OverridesThePolicysCalendarAndIsRecordedOnTheHandoff()
    {
        var book = SlaPolicyBook.Compile(Set(Policy("fallback", "*", "*", "always"), Policy("care p1", "care", "P1", "always", 10, 120, 2)));
        var monday0830 = new DateTimeOffset(2026, 11, 2, 8, 30, 0, TimeSpan.Zero);

        var withTeamCalendar = book.Resolve("care", "P1", teamDefaults: new SlaTeamDefaults(null, "uk-office"));
        var withUnknownCalendar = book.Resolve("care", "P1", teamDefaults: new SlaTeamDefaults(null, "gone"));
        var withoutEntry = book.Resolve("care", "P1");
        var sla = HandoffSla.Start("care", "P1", withTeamCalendar, monday0830);

        Assert.Equal("uk-office", withTeamCalendar.Calendar.Name);
        Assert.Equal(SlaPolicySources.CalendarOfTeam, withTeamCalendar.CalendarSource);
        Assert.Equal("always", withUnknownCalendar.Calendar.Name);
        Assert.Equal(SlaPolicySources.CalendarOfPolicy, withUnknownCalendar.CalendarSource);
        Assert.Equal("always", withoutEntry.Calendar.Name);

        // Due 10 business minutes after the office opens at 09:00 London (GMT in November), not 08:40.
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 9, 10, 0, TimeSpan.Zero), sla.FirstResponse.DueAt(book.CalendarFor(sla)));
        Assert.Equal(("uk-office", SlaPolicySources.TeamAndPriority, SlaPolicySources.CalendarOfTeam), (sla.Calendar, sla.PolicySource, sla.CalendarSource));
        Assert.Equal("always", book.CalendarFor(sla with { Calendar = null }).Name);
        Assert.Equal(("uk-office", SlaPolicySources.CalendarOfTeam), (HandoffSla.FromJson(sla.ToJson()).Calendar, HandoffSla.FromJson(sla.ToJson()).CalendarSource));
    }

    [Fact]
    public void Resolve_TeamCalendarTooNarrowForTheResolutionTarget_KeepsThePolicysCalendar()
    {
        var set = Set(Policy("fallback", "*", "*", "always", 60, 60 * 24 * 40, 15));
        set.Calendars.Add(new CalendarDefinition { Name = "mondays", TimeZone = "Europe/London", Week = new() { ["mon"] = ["09:00-10:00"] } });
        var book = SlaPolicyBook.Compile(set);

        var policy = book.Resolve("care", "P2", teamDefaults: new SlaTeamDefaults(null, "mondays"));

        Assert.Equal("always", policy.Calendar.Name);
        Assert.Equal(SlaPolicySources.CalendarOfPolicy, policy.CalendarSource);
    }

    [Fact]
    public void Resolve_ClockStartPosted_ClocksStartWhenTheCustomerPosted()
    {
        // Posted Monday 08:50 London, handed off 09:40 in business hours: 50 minutes waiting, of which 40 in business time.
        var postedAt = new DateTimeOffset(2026, 11, 2, 8, 50, 0, TimeSpan.Zero);
        var book = SlaPolicyBook.Compile(Set(Policy("fallback", "*", "*") with { ClockStart = "posted" }, Policy("handoff", "care", "*")));
        var posted = book.Resolve("pr", "P2");
        var handoff = book.Resolve("care", "P2");

        Assert.True(posted.StartsAtPosting);
        Assert.False(handoff.StartsAtPosting);
        var now = new DateTimeOffset(2026, 11, 2, 9, 40, 0, TimeSpan.Zero);
        var fromPosting = HandoffSla.Start("pr", "P2", posted, posted.ClockStartFor(postedAt, now));
        var fromHandoff = HandoffSla.Start("care", "P2", handoff, handoff.ClockStartFor(postedAt, now));
        Assert.Equal(now.AddMinutes(20), fromPosting.FirstResponse.DueAt(posted.Calendar));
        Assert.Equal(now.AddMinutes(60), fromHandoff.FirstResponse.DueAt(handoff.Calendar));
    }

    [Theory]
    [InlineData(-90, -90)]
    [InlineData(0, 0)]
    [InlineData(30, 0)]
    public void ClockStartFor_PostingTimeAheadOfHandoff_HandoffTime(int postedMinutes, int expectedMinutes)
    {
        var handedOff = new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);
        var policy = SlaPolicyBook.Compile(Set(Policy("fallback", "*", "*", "always") with { ClockStart = "Posted" })).Resolve("care", "P1");
        Assert.Equal(handedOff.AddMinutes(expectedMinutes), policy.ClockStartFor(handedOff.AddMinutes(postedMinutes), handedOff));
    }

    [Fact]
    public void Validate_UnknownClockStart_NamesPolicyAndField()
    {
        var errors = SlaPolicyBook.Validate(Set(Policy("fallback", "*", "*") with { ClockStart = "received" }));
        Assert.Contains("policy 'fallback', clockStart: 'received' must be 'handoff' or 'posted'.", errors);
    }

    [Fact]
    public void Validate_EveryMistake_NamesCalendarOrPolicyAndField()
    {
        var set = Set(Policy("", "care", "P9", "nowhere", 60, 30, 90)) with
        {
            Calendars =
            [
                new CalendarDefinition { Name = "bad", TimeZone = "Europe/London", Week = new() { ["funday"] = ["09:00-17:00"], ["mon"] = ["9-5"] }, Holidays = ["25/12/2026"] },
            ],
        };
        var errors = SlaPolicyBook.Validate(set);
        Assert.Contains("calendar 'bad', week: 'funday' is not a day (mon, tue, wed, thu, fri, sat, sun).", errors);
        Assert.Contains("calendar 'bad', week.mon: '9-5' is not a shift like 09:00-17:00.", errors);
        Assert.Contains("calendar 'bad', holidays: '25/12/2026' is not a date like 2026-12-25.", errors);
        Assert.Contains("policy '', priority: 'P9' must be P1, P2, P3, P4 or *.", errors);
        Assert.Contains("policy '', calendar: 'nowhere' is not a calendar of this set.", errors);
        Assert.Contains(errors, e => e.StartsWith("policy '', resolution:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("policy '', warnBefore:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("policies: one policy must cover team '*'", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => SlaPolicyBook.Compile(set));
    }

    [Fact]
    public void Resolve_CalendarWithSplitShiftsAndHoliday_DueTimeSkipsThem()
    {
        var book = SlaPolicyBook.Compile(Set(Policy("fallback", "*", "*")));
        var policy = book.Resolve("care", "P2");
        // Fri 2026-12-25 is a holiday; Thu has no shifts in this calendar: Mon 21 Dec 12:00 + 60 min -> 13:30 lunch gap skipped -> 14:00.
        var due = policy.Calendar.AddBusinessTime(new DateTimeOffset(2026, 12, 21, 12, 0, 0, TimeSpan.Zero), policy.FirstResponse);
        Assert.Equal(new DateTimeOffset(2026, 12, 21, 14, 0, 0, TimeSpan.Zero), due);
    }

    [Theory]
    [InlineData("10675198.00:00:00", "resolution")]
    [InlineData("366.00:00:00", "resolution")]
    public void Validate_TargetLongerThanAYear_RefusedNamingTheField(string resolution, string field)
    {
        var policy = Policy("forever", "*", "*", "always") with { Resolution = TimeSpan.Parse(resolution, System.Globalization.CultureInfo.InvariantCulture) };

        var errors = SlaPolicyBook.Validate(Set(policy));

        Assert.Contains(errors, e => e.StartsWith($"policy 'forever', {field}:", StringComparison.Ordinal) && e.Contains("365 days", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ResolutionMoreThanTheCalendarIsOpenInThreeYears_Refused()
    {
        // uk-office is open 15.5 hours a week: about 2,400 hours in three years, so 200 days of business time cannot be timed.
        var errors = SlaPolicyBook.Validate(Set(Policy("long", "*", "*", resolutionMinutes: 200 * 24 * 60)));

        Assert.Contains(errors, e => e.StartsWith("policy 'long', resolution:", StringComparison.Ordinal) && e.Contains("calendar 'uk-office'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_LongestValidTarget_EveryStartComputesADueTime()
    {
        // The bound is a guarantee: a policy at it gets a due time from any start, holidays and clock changes included.
        var set = Set(Policy("fallback", "*", "*"));
        var calendar = SlaPolicyBook.Compile(set).Resolve("care", "P2").Calendar;
        var longest = calendar.GuaranteedOpenTime;
        var valid = Set(Policy("fallback", "*", "*", firstMinutes: 60, resolutionMinutes: (int)longest.TotalMinutes));
        Assert.Empty(SlaPolicyBook.Validate(valid));

        for (var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero); start.Year < 2028; start = start.AddDays(37).AddHours(5))
        {
            Assert.True(calendar.AddBusinessTime(start, longest) > start);
        }
    }

    [Fact]
    public void Validate_CalendarMistakes_EachNamed()
    {
        var set = new SlaPolicySet
        {
            Calendars =
            [
                new CalendarDefinition { Name = "nowhere", TimeZone = "Europe/Nowhere", Week = new() { ["mon"] = ["09:00-17:00"] } },
                new CalendarDefinition { Name = "path", TimeZone = "../../etc/passwd", Week = new() { ["mon"] = ["09:00-17:00"] } },
                new CalendarDefinition { Name = "closed", Week = [] },
                new CalendarDefinition { Name = "null day", Week = new() { ["mon"] = null! } },
                new CalendarDefinition { Name = "twice", Week = new() { ["mon"] = ["09:00-10:00"], ["Mon"] = ["11:00-12:00"] } },
                new CalendarDefinition { Name = "out of range", Week = new() { ["tue"] = ["25:00-26:00", "17:00-09:00"] } },
                new CalendarDefinition { Name = "holidays", Week = new() { ["wed"] = ["09:00-17:00"] }, Holidays = ["2026-02-30", "9999-99-99"] },
                new CalendarDefinition { Name = "all holidays", Week = new() { ["wed"] = ["09:00-17:00"] }, Holidays = [.. Enumerable.Range(0, 1000).Select(i => new DateOnly(2026, 1, 7).AddDays(7 * i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))] },
            ],
            Policies = [new SlaPolicyDefinition { Name = "all", Team = "*", Priority = "*", Calendar = "closed", FirstResponse = TimeSpan.FromHours(1), Resolution = TimeSpan.FromHours(2) }],
        };

        var errors = SlaPolicyBook.Validate(set);

        Assert.Contains(errors, e => e.StartsWith("calendar 'nowhere':", StringComparison.Ordinal) && e.Contains("Europe/Nowhere", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("calendar 'path', timeZone:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("calendar 'closed':", StringComparison.Ordinal) && e.Contains("no working hours", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("calendar 'null day', week.mon:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("calendar 'twice', week.Mon: the day is listed twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("calendar 'out of range', week.tue: '25:00-26:00'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("calendar 'holidays', holidays: '2026-02-30'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("calendar 'all holidays', holidays:", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_WithReferences_UnknownTeamAndDroppedPolicyARuleNames_Refused()
    {
        var set = Set(Policy("fallback", "*", "*"), Policy("carre", "carre", "*"));
        var references = new SlaReferences(new HashSet<string> { "care", "crisis" }, new Dictionary<string, string> { ["crisis-24x7"] = "crisis" });

        var errors = SlaPolicyBook.Validate(set, references);

        Assert.Contains("policy 'carre', team: 'carre' is not a team that exists; did you mean 'care'?", errors);
        Assert.Contains(errors, e => e.Contains("'crisis-24x7' is named by rule 'crisis'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_DuplicatePolicyNames_Refused()
    {
        var errors = SlaPolicyBook.Validate(Set(Policy("same", "*", "*"), Policy("same", "care", "*")));

        Assert.Contains(errors, e => e.StartsWith("policy 'same': name is used by another policy", StringComparison.Ordinal));
    }

    [Fact]
    public void ValidateOptions_EscalationDelayOverAYear_FailsNamingTheSetting()
    {
        var options = new SlaOptions { Escalation = [new() { Name = "assignee", After = TimeSpan.Zero }, new() { Name = "board", After = TimeSpan.FromDays(10675198) }] };

        var result = new SlaOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("Sla:Escalation:1:After must be at most 365 days", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_OverlappingShifts_ErrorAtThatDay()
    {
        var set = Set(Policy("fallback", "*", "*"));
        set.Calendars[0].Week["mon"] = ["09:00-12:30", "12:00-17:00"];

        var error = Assert.Single(SlaPolicyBook.Check(set));

        Assert.Equal("calendars[0].week.mon", error.Field);
        Assert.Equal("shifts 09:00-12:30 and 12:00-17:00 overlap.", error.Message);
    }

    [Theory]
    [InlineData("Europe/Londn", "did you mean 'Europe/London'?")]
    [InlineData("Mars/Olympus", "is not known")]
    [InlineData("not a zone!", "is not an IANA time zone id")]
    public void Check_BadTimeZone_ErrorAtTheZoneField(string zone, string expected)
    {
        var set = Set(Policy("fallback", "*", "*"));
        set.Calendars[0].TimeZone = zone;

        var errors = SlaPolicyBook.Check(set);

        Assert.Contains(errors, e => e.Field == "calendars[0].timeZone" && e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Check_UnknownTeamAndTargetsThatDoNotFit_EachAtItsField()
    {
        var set = Set(Policy("fallback", "*", "*"), Policy("billing", "biling", "*", firstMinutes: 60, resolutionMinutes: 30, warnMinutes: 90));
        var references = new SlaReferences(new HashSet<string> { "care", "billing" }, new Dictionary<string, string>());

        var errors = SlaPolicyBook.Check(set, references);

        Assert.Contains(errors, e => e.Field == "policies[1].team" && e.Message == "'biling' is not a team that exists; did you mean 'billing'?");
        Assert.Contains(errors, e => e.Field == "policies[1].resolution" && e.Message.StartsWith("30 min is shorter than the first response target (1 h)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "policies[1].warnBefore");
    }

    [Fact]
    public void Check_MisspeltCalendarAndHolidayNotADate_FieldsNamedWithSuggestion()
    {
        var set = Set(Policy("fallback", "*", "*", "uk-ofice"));
        set.Calendars[0].Holidays.Add("25/12/2026");

        var errors = SlaPolicyBook.Check(set);

        Assert.Contains(errors, e => e.Field == "policies[0].calendar" && e.Message.EndsWith("Did you mean 'uk-office'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "calendars[0].holidays[1]");
    }
}
