using System.ComponentModel.DataAnnotations;
using BusinessInbox.Data;
using BusinessInbox.Pages.Account;
using BusinessInbox.Setup;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace BusinessInbox.Pages.Setup;

/// <summary>First run: creates the first business and its owner, after the one-time code from the console.</summary>
[EnableRateLimiting(Hosting.HostingExtensions.CustomerRateLimit)]
public sealed class IndexModel(BusinessSetup setup, SetupCode code, UserManager<AppUser> users, StaffSignIn staffSignIn) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IEnumerable<string> TimeZones => TimeZoneInfo.GetSystemTimeZones().Where(z => z.HasIanaId).Select(z => z.Id).Order(StringComparer.Ordinal);

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the setup code printed in the server's console.")]
        [Display(Name = "Setup code")]
        public string SetupCode { get; set; } = "";

        [Display(Name = "Business name")]
        public string BusinessName { get; set; } = "";

        [Display(Name = "Short link name")]
        public string Slug { get; set; } = "";

        [Display(Name = "Time zone")]
        public string TimeZone { get; set; } = "UTC";

        [Display(Name = "Your name")]
        public string OwnerName { get; set; } = "";

        [Display(Name = "E-mail")]
        public string OwnerEmail { get; set; } = "";

        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string OwnerPassword { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await setup.AnyBusinessAsync(ct) ? Redirect("/") : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await setup.AnyBusinessAsync(ct))
        {
            return Redirect("/");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        if (!code.Matches(Input.SetupCode))
        {
            ModelState.AddModelError("Input.SetupCode", "That is not the setup code printed in the server's console.");
            return Page();
        }
        var result = await setup.CreateAsync(
            new NewBusiness(Input.BusinessName, Input.Slug, Input.TimeZone, Input.OwnerName, Input.OwnerEmail, Input.OwnerPassword), ct);
        if (!result.Succeeded)
        {
            foreach (var (field, error) in result.Errors)
            {
                ModelState.AddModelError("Input." + (field == nameof(NewBusiness.Name) ? nameof(InputModel.BusinessName) : field), error);
            }
            return Page();
        }
        var owner = await users.FindByIdAsync(result.OwnerId!);
        await staffSignIn.SignInAsync(owner!, result.BusinessId, ct);
        return Redirect("/inbox");
    }
}
