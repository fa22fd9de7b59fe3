using System.ComponentModel.DataAnnotations;
using System.Text;
using BusinessInbox.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Pages.Account;

/// <summary>
/// Where an invitation or password link leads: the member chooses a password and is signed in. The token is
/// Identity's password-reset token, so it expires (3 days) and works once: setting the password changes the
/// security stamp it was made from.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class AcceptInviteModel(UserManager<AppUser> users, InboxDb db, StaffSignIn staffSignIn) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "user")]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true, Name = "token")]
    public string? Token { get; set; }

    [BindProperty(SupportsGet = true, Name = "business")]
    public int? Business { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool Expired { get; private set; }
    /// <summary>An invitation (no password yet) rather than a password reset.</summary>
    public bool Invitation { get; private set; }
    public string Email { get; private set; } = "";
    public string BusinessName { get; private set; } = "";
    public string? Problem { get; private set; }

    private AppUser? _user;
    private string _token = "";
    private int? _businessId;

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your name.")]
        [StringLength(100, ErrorMessage = "At most 100 characters.")]
        [Display(Name = "Your name")]
        public string Name { get; set; } = "";

        [Required(ErrorMessage = "Choose a password.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password")]
        public string Password { get; set; } = "";

        [Required(ErrorMessage = "Enter the password again.")]
        [Compare(nameof(Password), ErrorMessage = "The two passwords are not the same.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password again")]
        public string ConfirmPassword { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct))
        {
            Input.Name = _user!.DisplayName;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct) || !ModelState.IsValid)
        {
            return Page();
        }
        var user = _user!;
        user.DisplayName = Input.Name.Trim();
        user.EmailConfirmed = true;
        var result = await users.ResetPasswordAsync(user, _token, Input.Password);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken)))
            {
                Expired = true;
                return Page();
            }
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError("Input.Password", error.Description);
            }
            return Page();
        }
        // The owner made this link because the member could not get in: a lockout should not keep them out.
        await users.ResetAccessFailedCountAsync(user);
        await users.SetLockoutEndDateAsync(user, null);
        if (!await staffSignIn.SignInAsync(user, _businessId, ct))
        {
            Problem = "Your password is set, but your account is no longer a member of any business.";
            return Page();
        }
        return Redirect("/inbox");
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        _user = string.IsNullOrEmpty(UserId) ? null : await users.FindByIdAsync(UserId);
        _token = Decode(Token);
        if (_user is null || _token.Length == 0
            || !await users.VerifyUserTokenAsync(_user, users.Options.Tokens.PasswordResetTokenProvider, UserManager<AppUser>.ResetPasswordTokenPurpose, _token))
        {
            Expired = true;
            return false;
        }
        Invitation = _user.PasswordHash is null;
        Email = _user.Email ?? "";
        var memberships = db.Memberships.Where(m => m.UserId == _user.Id);
        var business = await memberships.Where(m => m.BusinessId == Business).Select(m => new { m.BusinessId, m.Business.Name }).SingleOrDefaultAsync(ct)
            ?? await memberships.OrderByDescending(m => m.BusinessId).Select(m => new { m.BusinessId, m.Business.Name }).FirstOrDefaultAsync(ct);
        _businessId = business?.BusinessId;
        BusinessName = business?.Name ?? "";
        return true;
    }

    private static string Decode(string? token)
    {
        try
        {
            return string.IsNullOrEmpty(token) ? "" : Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
        }
        catch (FormatException)
        {
            return "";
        }
    }
}
