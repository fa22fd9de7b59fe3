using System.ComponentModel.DataAnnotations;
using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Settings;

public sealed record TokenRow(int Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>Settings → API tokens (owners only): the business's tokens for the JSON API; a new token is shown once.</summary>
public sealed class TokensModel(InboxDb db, TimeProvider clock, IStringLocalizer<TokensModel> l) : PageModel
{
    public IReadOnlyList<TokenRow> Tokens { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public NewTokenInput NewToken { get; set; } = new();
    /// <summary>The token just created; never stored, so this is the only time it can be seen.</summary>
    public string? CreatedToken { get; private set; }
    public string? Notice { get; private set; }

    public sealed class NewTokenInput
    {
        [Required(ErrorMessage = "Give the token a name, such as the system that will use it.")]
        [StringLength(100, ErrorMessage = "At most 100 characters.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "";
    }

    private int BusinessId => User.BusinessIdOf();

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync([Bind(Prefix = nameof(NewToken))] NewTokenInput input, CancellationToken ct)
    {
        NewToken = input;
        if (ModelState.IsValid && !string.IsNullOrWhiteSpace(input.Name))
        {
            CreatedToken = await ApiTokens.CreateAsync(db, BusinessId, input.Name, clock.GetUtcNow(), ct);
            NewToken = new NewTokenInput();
            ModelState.Clear();
        }
        else if (ModelState.IsValid)
        {
            ModelState.AddModelError("NewToken.Name", l["Give the token a name, such as the system that will use it."]);
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(int id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var revoked = await db.ApiTokens.Where(t => t.Id == id && t.BusinessId == BusinessId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        if (revoked == 0 && !await db.ApiTokens.AnyAsync(t => t.Id == id && t.BusinessId == BusinessId, ct))
        {
            return NotFound();
        }
        Notice = l["The token was revoked. Requests with it are refused from now on."];
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var rows = await db.ApiTokens.AsNoTracking().Where(t => t.BusinessId == BusinessId)
            .Select(t => new TokenRow(t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt, t.RevokedAt))
            .ToListAsync(ct);
        // Newest first; sorted here because SQLite cannot order by DateTimeOffset.
        Tokens = [.. rows.OrderBy(t => t.RevokedAt is not null).ThenByDescending(t => t.CreatedAt)];
        var zone = await db.Businesses.Where(b => b.Id == BusinessId).Select(b => b.TimeZone).SingleAsync(ct);
        Zone = TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var tz) ? tz : TimeZoneInfo.Utc;
    }

    public string Format(DateTimeOffset? at) =>
        at is { } value ? TimeZoneInfo.ConvertTime(value, Zone).ToString("d MMM yyyy HH:mm", System.Globalization.CultureInfo.CurrentCulture) : "—";
}
