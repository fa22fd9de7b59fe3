using BusinessInbox.AutoReplies;
using BusinessInbox.Data;
using BusinessInbox.Hours;
using BusinessInbox.Inbox;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Pages.Settings.AutoReplies;

/// <summary>Settings → Auto-replies: away message, greeting, keyword replies and who receives them.</summary>
public sealed class IndexModel(InboxDb db) : PageModel
{
    private const int NewRuleRows = 2;

    [BindProperty] public bool AwayEnabled { get; set; }
    [BindProperty] public string? AwayText { get; set; }
    [BindProperty] public AwaySchedule AwaySchedule { get; set; } = AwaySchedule.OutsideOpeningHours;
    [BindProperty] public DateTime? AwayFrom { get; set; }
    [BindProperty] public DateTime? AwayUntil { get; set; }
    [BindProperty] public bool GreetingEnabled { get; set; }
    [BindProperty] public string? GreetingText { get; set; }
    [BindProperty] public int SilenceDays { get; set; } = 14;
    [BindProperty] public Recipients Recipients { get; set; }
    [BindProperty] public int StaffQuietMinutes { get; set; } = 10;
    [BindProperty] public List<RuleInput> Rules { get; set; } = [];
    /// <summary>The labels that "except chats with labels" and "only chats with labels" mean.</summary>
    [BindProperty] public List<int> RecipientLabels { get; set; } = [];

    public IReadOnlyList<Labels.LabelView> Labels { get; private set; } = [];

    [TempData] public string? Saved { get; set; }

    public string TimeZone { get; private set; } = "";

    public sealed class RuleInput
    {
        public string? Keywords { get; set; }
        public string? Reply { get; set; }
        public KeywordActivity Activity { get; set; }
        public bool Remove { get; set; }
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var business = await db.Businesses.AsNoTracking().SingleAsync(b => b.Id == User.BusinessIdOf(), ct);
        var s = business.AutoReplies;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(business.TimeZone);
        TimeZone = business.TimeZone;
        (AwayEnabled, AwayText, AwaySchedule) = (s.Away.Enabled, s.Away.Text, s.Away.Schedule);
        AwayFrom = s.Away.RangeStart is { } from ? TimeZoneInfo.ConvertTime(from, zone).DateTime : null;
        AwayUntil = s.Away.RangeEnd is { } until ? TimeZoneInfo.ConvertTime(until, zone).DateTime : null;
        (GreetingEnabled, GreetingText, SilenceDays) = (s.Greeting.Enabled, s.Greeting.Text, s.Greeting.SilenceDays);
        (Recipients, StaffQuietMinutes) = (s.Recipients, s.StaffQuietMinutes);
        RecipientLabels = [.. s.RecipientLabels ?? []];
        Labels = await BusinessInbox.Labels.LabelService.ListAsync(db, business.Id, ct);
        Rules = s.KeywordRules
            .Select(r => new RuleInput { Keywords = string.Join(", ", r.Keywords), Reply = r.Reply, Activity = r.Activity })
            .Concat(Enumerable.Range(0, NewRuleRows).Select(_ => new RuleInput()))
            .ToList();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var business = await db.Businesses.SingleAsync(b => b.Id == User.BusinessIdOf(), ct);
        TimeZone = business.TimeZone;
        Labels = await BusinessInbox.Labels.LabelService.ListAsync(db, business.Id, ct);
        // Only this business's labels count; an id from elsewhere is dropped.
        RecipientLabels = [.. RecipientLabels.Distinct().Where(id => Labels.Any(l => l.Id == id))];
        if (Recipients is Recipients.ExceptLabels or Recipients.OnlyLabels && RecipientLabels.Count == 0)
        {
            ModelState.AddModelError(nameof(RecipientLabels), "Choose at least one label for these recipients.");
        }
        CheckText(nameof(AwayText), AwayText, AwayEnabled);
        CheckText(nameof(GreetingText), GreetingText, GreetingEnabled);
        if (SilenceDays is < 1 or > 365)
        {
            ModelState.AddModelError(nameof(SilenceDays), "Choose between 1 and 365 days.");
        }
        if (StaffQuietMinutes is < 0 or > 240)
        {
            ModelState.AddModelError(nameof(StaffQuietMinutes), "Choose between 0 and 240 minutes.");
        }

        DateTimeOffset? from = null, until = null;
        if (AwayEnabled && AwaySchedule == AwaySchedule.CustomRange)
        {
            var clock = new BusinessClock(business.Hours.In(business.TimeZone));
            from = AwayFrom is { } f ? clock.Instant(DateOnly.FromDateTime(f), TimeOnly.FromDateTime(f), earliest: true) : null;
            until = AwayUntil is { } u ? clock.Instant(DateOnly.FromDateTime(u), TimeOnly.FromDateTime(u), earliest: false) : null;
            if (from is null || until is null)
            {
                ModelState.AddModelError(nameof(AwayFrom), "Give both the start and the end of the away period.");
            }
            else if (until <= from)
            {
                ModelState.AddModelError(nameof(AwayUntil), "The away period must end after it starts.");
            }
        }

        var rules = new List<KeywordRule>();
        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            if (rule.Remove || (string.IsNullOrWhiteSpace(rule.Keywords) && string.IsNullOrWhiteSpace(rule.Reply)))
            {
                continue;
            }
            var keywords = (rule.Keywords ?? "").Split([',', '，', '、'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
            if (keywords.Count == 0)
            {
                ModelState.AddModelError($"{nameof(Rules)}[{i}].{nameof(RuleInput.Keywords)}", "Give at least one keyword, separated by commas.");
            }
            CheckText($"{nameof(Rules)}[{i}].{nameof(RuleInput.Reply)}", rule.Reply, required: true);
            rules.Add(new KeywordRule(rules.Count + 1, keywords, rule.Reply?.Trim() ?? "", rule.Activity));
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }
        business.AutoReplies = new AutoReplySettings(
            new AwayMessage(AwayEnabled, AwayText?.Trim() ?? "", AwaySchedule, from, until),
            new GreetingMessage(GreetingEnabled, GreetingText?.Trim() ?? "", SilenceDays),
            rules,
            Recipients,
            StaffQuietMinutes,
            Recipients is Recipients.ExceptLabels or Recipients.OnlyLabels ? RecipientLabels : null);
        await db.SaveChangesAsync(ct);
        Saved = "Auto-replies saved.";
        return RedirectToPage();
    }

    /// <summary>Moves a keyword rule up or down: the first matching rule wins, so order matters.</summary>
    public async Task<IActionResult> OnPostMoveAsync(int index, int by, CancellationToken ct)
    {
        var business = await db.Businesses.SingleAsync(b => b.Id == User.BusinessIdOf(), ct);
        var rules = business.AutoReplies.KeywordRules.ToList();
        var target = index + by;
        if (index < 0 || index >= rules.Count || target < 0 || target >= rules.Count)
        {
            return RedirectToPage();
        }
        (rules[index], rules[target]) = (rules[target], rules[index]);
        business.AutoReplies = business.AutoReplies with { KeywordRules = rules.Select((r, i) => r with { Id = i + 1 }).ToList() };
        await db.SaveChangesAsync(ct);
        return RedirectToPage();
    }

    private void CheckText(string field, string? text, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                ModelState.AddModelError(field, "Write the text to send.");
            }
            return;
        }
        if (MessageText.CodePoints(text) > MessageText.MaxLength)
        {
            ModelState.AddModelError(field, $"At most {MessageText.MaxLength} characters.");
        }
        if (Placeholders.Check(text) is { } problem)
        {
            ModelState.AddModelError(field, problem);
        }
    }
}
