using System.ComponentModel.DataAnnotations;
using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Account;

/// <summary>The signed-in member's own name, password and notification preferences.</summary>
public sealed class ProfileModel(UserManager<AppUser> users, StaffSignIn staffSignIn, IStringLocalizer<ProfileModel> l) : PageModel
{
    public DetailsInput Details { get; set; } = new();
    public PasswordInput Password { get; set; } = new();
    public string Email { get; private set; } = "";
    public string? Notice { get; private set; }

    public sealed class DetailsInput
    {
        [Required(ErrorMessage = "Enter your name.")]
        [StringLength(100, ErrorMessage = "At most 100 characters.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "";

        [Display(Name = "Play a sound for new messages")]
        public bool NotifyWithSound { get; set; }

        [Display(Name = "Show browser notifications for new messages")]
        public bool NotifyInBrowser { get; set; }
    }

    public sealed class PasswordInput
    {
        [Required(ErrorMessage = "Enter your current password.")]
        [DataType(DataType.Password)]
        [Display(Name = "Current password")]
        public string Current { get; set; } = "";

        [Required(ErrorMessage = "Choose a new password.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password")]
        public string New { get; set; } = "";

        [Required(ErrorMessage = "Enter the new password again.")]
        [Compare(nameof(New), ErrorMessage = "The two passwords are not the same.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password again")]
        public string Confirm { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await CurrentUserAsync();
        Details = new DetailsInput { Name = user.DisplayName, NotifyWithSound = user.NotifyWithSound, NotifyInBrowser = user.NotifyInBrowser };
        return Page();
    }

    public async Task<IActionResult> OnPostDetailsAsync([Bind(Prefix = nameof(Details))] DetailsInput input)
    {
        var user = await CurrentUserAsync();
        Details = input;
        if (!ModelState.IsValid || string.IsNullOrWhiteSpace(input.Name))
        {
            ModelState.TryAddModelError("Details.Name", l["Enter your name."]);
            return Page();
        }
        user.DisplayName = input.Name.Trim();
        user.NotifyWithSound = input.NotifyWithSound;
        user.NotifyInBrowser = input.NotifyInBrowser;
        await users.UpdateAsync(user);
        Notice = l["Your profile was saved."];
        return Page();
    }

    public async Task<IActionResult> OnPostPasswordAsync([Bind(Prefix = nameof(Password))] PasswordInput input, CancellationToken ct)
    {
        var user = await CurrentUserAsync();
        Details = new DetailsInput { Name = user.DisplayName, NotifyWithSound = user.NotifyWithSound, NotifyInBrowser = user.NotifyInBrowser };
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await users.ChangePasswordAsync(user, input.Current, input.New);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                if (error.Code == nameof(IdentityErrorDescriber.PasswordMismatch))
                {
                    ModelState.AddModelError("Password.Current", l["That is not your current password."]);
                }
                else
                {
                    ModelState.AddModelError("Password.New", error.Description);
                }
            }
            return Page();
        }
        // The new security stamp signs out every other browser; this one signs in again to stay in.
        await staffSignIn.SignInAsync(user, User.BusinessIdOf(), ct);
        Notice = l["Your password was changed. Other browsers where you were signed in are signed out."];
        return Page();
    }

    private async Task<AppUser> CurrentUserAsync()
    {
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("The signed-in user no longer exists.");
        Email = user.Email ?? "";
        return user;
    }
}
