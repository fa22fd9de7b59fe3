using System.ComponentModel.DataAnnotations;
using BusinessInbox.Data;
using BusinessInbox.Security;
using BusinessInbox.Staff;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Settings;

/// <summary>Settings → Staff (owners only, by the folder's policy): members, invitations, roles, removal, password links.</summary>
public sealed class StaffModel(StaffMembers staff, InboxDb db, IMailSender mail, IStringLocalizer<StaffModel> l) : PageModel
{
    public IReadOnlyList<MemberRow> Members { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public NewMemberInput NewMember { get; set; } = new();
    public string? Notice { get; private set; }
    public string? Problem { get; private set; }
    /// <summary>A password link to copy, shown once after it was made.</summary>
    public PasswordLink? Link { get; private set; }
    public string? LinkLabel { get; private set; }
    public bool MailConfigured => mail.IsConfigured;

    public sealed class NewMemberInput
    {
        [Required(ErrorMessage = "Enter the member's e-mail address.")]
        [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
        [StringLength(256, ErrorMessage = "At most 256 characters.")]
        [Display(Name = "E-mail")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter the member's name.")]
        [StringLength(100, ErrorMessage = "At most 100 characters.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "";

        [EnumDataType(typeof(MemberRole), ErrorMessage = "Choose a role.")]
        [Display(Name = "Role")]
        public MemberRole Role { get; set; } = MemberRole.Agent;
    }

    private int BusinessId => User.BusinessIdOf();
    private string Origin => $"{Request.Scheme}://{Request.Host}{Request.PathBase}";

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostAddAsync([Bind(Prefix = nameof(NewMember))] NewMemberInput input, CancellationToken ct)
    {
        NewMember = input;
        if (ModelState.IsValid)
        {
            var outcome = await staff.AddAsync(BusinessId, User.UserId(), input.Email, input.Name, input.Role, Origin, ct);
            if (outcome.Error is not null)
            {
                ModelState.AddModelError("NewMember.Email", outcome.Error);
            }
            else
            {
                var email = input.Email.Trim();
                Link = outcome.Link;
                LinkLabel = l["Invitation link for {0}", email];
                Notice = outcome.Link is not null ? l["{0} was added. They choose their password with the invitation link below.", email]
                    : outcome.HasPassword ? l["{0} already has an account and was added. After signing in they switch to this business in the header.", email]
                    : l["{0} was added. They have a pending invitation from another business; once they accept it, they can switch to this business.", email];
                NewMember = new NewMemberInput();
                ModelState.Clear();
            }
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRoleAsync(string userId, MemberRole role, CancellationToken ct)
    {
        if (!Enum.IsDefined(role))
        {
            return BadRequest();
        }
        var result = await staff.ChangeRoleAsync(BusinessId, userId, role, ct);
        if (result == StaffChange.Done && role != MemberRole.Owner && userId == User.UserId())
        {
            // An owner who stepped down no longer manages staff.
            return Redirect("/inbox");
        }
        return await ShowAsync(result, l["The role was changed."], ct);
    }

    public async Task<IActionResult> OnPostRemoveAsync(string userId, CancellationToken ct)
    {
        var result = await staff.RemoveAsync(BusinessId, userId, ct);
        if (result == StaffChange.Done && userId == User.UserId())
        {
            // Owners may leave a business that keeps another owner; this page is no longer theirs.
            return Redirect("/");
        }
        return await ShowAsync(result, l["The member was removed and signed out of this business."], ct);
    }

    public async Task<IActionResult> OnPostResetLinkAsync(string userId, CancellationToken ct)
    {
        var (result, link) = await staff.ResetLinkAsync(BusinessId, User.UserId(), userId, Origin, ct);
        if (link is not null)
        {
            var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync(ct);
            Link = link;
            LinkLabel = l["Password link for {0}", email ?? ""];
        }
        return await ShowAsync(result, l["A new password link was made. Older links stop working once one is used."], ct);
    }

    private async Task<IActionResult> ShowAsync(StaffChange result, string done, CancellationToken ct)
    {
        switch (result)
        {
            case StaffChange.NotFound:
                return NotFound();
            case StaffChange.LastOwner:
                Problem = l["A business needs at least one owner. Make another member owner first."];
                break;
            case StaffChange.NotYourAccount:
                Problem = l["This member also belongs to another business, so only they can change their password (on their profile page)."];
                break;
            default:
                Notice = done;
                break;
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Members = await staff.ListAsync(BusinessId, ct);
        var zone = await db.Businesses.Where(b => b.Id == BusinessId).Select(b => b.TimeZone).SingleAsync(ct);
        Zone = TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var tz) ? tz : TimeZoneInfo.Utc;
    }
}
