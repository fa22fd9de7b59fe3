using BusinessInbox.Data;
using BusinessInbox.Hours;
using BusinessInbox.Security;
using BusinessInbox.Setup;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Pages.Settings.Hours;

/// <summary>Settings → Hours: the business's time zone, weekly hours and special days.</summary>
public sealed class IndexModel(InboxDb db, TimeProvider clock) : PageModel
{
    public static readonly DayOfWeek[] WeekFromMonday =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    /// <summary>Blank rows offered for new special days.</summary>
    private const int NewSpecialDayRows = 3;

    [BindProperty]
    public string TimeZone { get; set; } = "";

    [BindProperty]
    public HoursMode Mode { get; set; }

    [BindProperty]
    public List<DayInput> Days { get; set; } = [];

    [BindProperty]
    public List<SpecialDayInput> SpecialDays { get; set; } = [];

    [TempData]
    public string? Saved { get; set; }

    public string StatusNow { get; private set; } = "";

    public IEnumerable<string> TimeZones => TimeZoneInfo.GetSystemTimeZones().Where(z => z.HasIanaId).Select(z => z.Id).Order(StringComparer.Ordinal);

    public enum DayState
    {
        Closed,
        Open24Hours,
        Hours,
    }

    public sealed class DayInput
    {
        public DayOfWeek Day { get; set; }
        public DayState State { get; set; }
        public string? Ranges { get; set; }
    }

    public sealed class SpecialDayInput
    {
        public DateOnly? Date { get; set; }
        public string? Name { get; set; }
        public DayState State { get; set; }
        public string? Ranges { get; set; }
        public bool Remove { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var business = await db.Businesses.AsNoTracking().SingleAsync(b => b.Id == User.BusinessIdOf(), ct);
        TimeZone = business.TimeZone;
        Mode = business.Hours.Mode;
        Days = WeekFromMonday.Select(d => ToInput(d, business.Hours.Week.GetValueOrDefault(d, DayHours.Closed))).ToList();
        SpecialDays = business.Hours.Overrides.OrderBy(o => o.Date)
            .Select(o => { var i = ToInput(default, o.Hours); return new SpecialDayInput { Date = o.Date, Name = o.Name, State = i.State, Ranges = i.Ranges }; })
            .Concat(Enumerable.Range(0, NewSpecialDayRows).Select(_ => new SpecialDayInput { State = DayState.Closed }))
            .ToList();
        StatusNow = Describe(business.Hours.In(business.TimeZone));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var business = await db.Businesses.SingleAsync(b => b.Id == User.BusinessIdOf(), ct);
        if (!BusinessSetup.IsKnownTimeZone(TimeZone))
        {
            ModelState.AddModelError(nameof(TimeZone), $"\"{TimeZone}\" is not a known time zone; pick one from the list, such as Europe/Berlin.");
        }

        var week = new Dictionary<DayOfWeek, DayHours>();
        for (var i = 0; i < Days.Count; i++)
        {
            if (ToHours(Days[i].State, Days[i].Ranges, $"{nameof(Days)}[{i}].{nameof(DayInput.Ranges)}") is { } hours)
            {
                week[Days[i].Day] = hours;
            }
        }
        var overrides = new List<DateOverride>();
        for (var i = 0; i < SpecialDays.Count; i++)
        {
            var s = SpecialDays[i];
            if (s.Remove || s.Date is null)
            {
                continue;
            }
            if (s.Name is { Length: > 60 })
            {
                ModelState.AddModelError($"{nameof(SpecialDays)}[{i}].{nameof(SpecialDayInput.Name)}", "A name can have at most 60 characters.");
            }
            if (ToHours(s.State, s.Ranges, $"{nameof(SpecialDays)}[{i}].{nameof(SpecialDayInput.Ranges)}") is { } hours)
            {
                overrides.Add(new DateOverride(s.Date.Value, string.IsNullOrWhiteSpace(s.Name) ? null : s.Name.Trim(), hours));
            }
        }

        var schedule = new HoursSchedule(Mode, week, overrides);
        if (ModelState.IsValid)
        {
            foreach (var problem in schedule.In(TimeZone).Validate())
            {
                ModelState.AddModelError("", problem);
            }
        }
        if (!ModelState.IsValid)
        {
            StatusNow = Describe(business.Hours.In(business.TimeZone));
            return Page();
        }
        business.TimeZone = TimeZone;
        business.Hours = schedule;
        await db.SaveChangesAsync(ct);
        Saved = "Opening hours saved.";
        return RedirectToPage();
    }

    private DayHours? ToHours(DayState state, string? ranges, string field)
    {
        switch (state)
        {
            case DayState.Closed:
                return DayHours.Closed;
            case DayState.Open24Hours:
                return DayHours.AllDay;
            default:
                var (parsed, error) = RangeText.Parse(ranges);
                if (error is not null)
                {
                    ModelState.AddModelError(field, error);
                    return null;
                }
                return DayHours.Of([.. parsed]);
        }
    }

    private static DayInput ToInput(DayOfWeek day, DayHours hours) => new()
    {
        Day = day,
        State = hours.Open24Hours ? DayState.Open24Hours : hours.IsClosed ? DayState.Closed : DayState.Hours,
        Ranges = hours.Ranges.Count > 0 ? RangeText.Format(hours.Ranges) : null,
    };

    private string Describe(OpeningHours hours) => HoursText.Status(hours, new BusinessClock(hours), clock.GetUtcNow());
}
