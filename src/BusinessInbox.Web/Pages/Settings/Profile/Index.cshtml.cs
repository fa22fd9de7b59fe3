using System.ComponentModel.DataAnnotations;
using BusinessInbox.Data;
using BusinessInbox.Profile;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Pages.Settings.Profile;

/// <summary>Settings → Profile: what customers see about the business, its logo, and the chat link with its QR code.</summary>
public sealed class IndexModel(InboxDb db, TimeProvider clock) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty]
    public IFormFile? Logo { get; set; }

    [BindProperty(SupportsGet = true)]
    [StringLength(ChatLink.MaxPrefillLength, ErrorMessage = "A pre-filled message can have at most 140 characters.")]
    public string? Prefill { get; set; }

    [TempData]
    public string? Saved { get; set; }

    public string Slug { get; private set; } = "";
    public int? LogoVersion { get; private set; }
    public string Link { get; private set; } = "";

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the business name.")]
        [StringLength(100, ErrorMessage = "The name can have at most 100 characters.")]
        public string Name { get; set; } = "";

        public BusinessCategory Category { get; set; }

        [StringLength(512, ErrorMessage = "The description can have at most 512 characters.")]
        public string? Description { get; set; }

        [StringLength(256, ErrorMessage = "The address can have at most 256 characters.")]
        public string? Address { get; set; }

        [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
        [StringLength(254)]
        public string? Email { get; set; }

        [StringLength(256, ErrorMessage = "A website address can have at most 256 characters.")]
        public string? Website1 { get; set; }

        [StringLength(256, ErrorMessage = "A website address can have at most 256 characters.")]
        public string? Website2 { get; set; }

        public int Version { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var business = await db.Businesses.AsNoTracking().SingleAsync(b => b.Id == User.BusinessIdOf(), ct);
        Load(business);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var business = await db.Businesses.SingleAsync(b => b.Id == User.BusinessIdOf(), ct);
        CheckWebsite(Input.Website1, "Input.Website1");
        CheckWebsite(Input.Website2, "Input.Website2");
        if (!ModelState.IsValid)
        {
            Load(business, keepInput: true);
            return Page();
        }
        business.Name = Input.Name.Trim();
        business.Category = Input.Category;
        business.Description = Clean(Input.Description);
        business.Address = Clean(Input.Address);
        business.Email = Clean(Input.Email);
        business.Website1 = Clean(Input.Website1);
        business.Website2 = Clean(Input.Website2);
        // The version the form was loaded with is what the database must still hold.
        db.Entry(business).Property(b => b.ProfileVersion).OriginalValue = Input.Version;
        business.ProfileVersion = Input.Version + 1;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Businesses.AsNoTracking().SingleAsync(b => b.Id == business.Id, ct);
            Load(current);
            ModelState.Clear();
            ModelState.AddModelError("", "Someone else changed the profile while you were editing. These are the new values; make your changes again.");
            return Page();
        }
        Saved = "Profile saved.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostLogoAsync(CancellationToken ct)
    {
        var business = await db.Businesses.SingleAsync(b => b.Id == User.BusinessIdOf(), ct);
        if (Logo is null || Logo.Length == 0)
        {
            ModelState.AddModelError(nameof(Logo), "Choose an image file first.");
        }
        else
        {
            await using var upload = Logo.OpenReadStream();
            var (png, error) = await LogoImage.ProcessAsync(upload, Logo.Length, ct);
            if (error is not null)
            {
                ModelState.AddModelError(nameof(Logo), error);
            }
            else
            {
                var stored = await db.BusinessLogos.SingleOrDefaultAsync(l => l.BusinessId == business.Id, ct);
                if (stored is null)
                {
                    db.BusinessLogos.Add(new BusinessLogo { BusinessId = business.Id, Png = png!, UpdatedAt = clock.GetUtcNow() });
                }
                else
                {
                    stored.Png = png!;
                    stored.UpdatedAt = clock.GetUtcNow();
                }
                business.LogoVersion = (business.LogoVersion ?? 0) + 1;
                await db.SaveChangesAsync(ct);
                Saved = "Logo saved.";
                return RedirectToPage();
            }
        }
        Load(business);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveLogoAsync(CancellationToken ct)
    {
        var id = User.BusinessIdOf();
        await db.BusinessLogos.Where(l => l.BusinessId == id).ExecuteDeleteAsync(ct);
        await db.Businesses.Where(b => b.Id == id).ExecuteUpdateAsync(s => s.SetProperty(b => b.LogoVersion, (int?)null), ct);
        Saved = "Logo removed.";
        return RedirectToPage();
    }

    /// <summary>The QR code for the chat link (with the optional pre-filled message), to download and print.</summary>
    public async Task<IActionResult> OnGetQrAsync(string? format, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return BadRequest();
        }
        var slug = await db.Businesses.Where(b => b.Id == User.BusinessIdOf()).Select(b => b.Slug).SingleAsync(ct);
        var link = ChatLink.For(Request, slug, Prefill);
        return format == "svg"
            ? File(System.Text.Encoding.UTF8.GetBytes(ChatLink.Svg(link)), "image/svg+xml", $"chat-{slug}.svg")
            : File(ChatLink.Png(link), "image/png", $"chat-{slug}.png");
    }

    private void Load(Business business, bool keepInput = false)
    {
        Slug = business.Slug;
        LogoVersion = business.LogoVersion;
        Link = ChatLink.For(Request, business.Slug, ModelState.GetFieldValidationState(nameof(Prefill)) == Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid ? null : Prefill);
        if (!keepInput)
        {
            Input = new InputModel
            {
                Name = business.Name, Category = business.Category, Description = business.Description, Address = business.Address,
                Email = business.Email, Website1 = business.Website1, Website2 = business.Website2, Version = business.ProfileVersion,
            };
        }
    }

    private void CheckWebsite(string? url, string field)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
        {
            ModelState.AddModelError(field, "Enter a full web address starting with http:// or https://.");
        }
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
