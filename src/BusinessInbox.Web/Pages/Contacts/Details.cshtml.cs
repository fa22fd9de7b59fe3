using System.ComponentModel.DataAnnotations;
using System.Globalization;
using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Labels;
using BusinessInbox.Inbox;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Contacts;

public sealed record ContactChat(int Id, ChannelKind Channel, ChatStatus Status, DateTimeOffset LastMessageAt, IReadOnlyList<LabelView> Labels);

/// <summary>One contact (every member): details, editing, block and unblock, and their chats.</summary>
public sealed class DetailsModel(InboxDb db, WriteGate gate, ContactCommands commands, IStringLocalizer<DetailsModel> l) : PageModel
{
    public Contact Contact { get; private set; } = null!;
    public IReadOnlyList<ContactChat> Chats { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public string? Notice { get; private set; }
    public bool CanManage => User.RoleOf() is MemberRole.Admin or MemberRole.Owner;

    [BindProperty]
    public ContactInput Input { get; set; } = new();

    public sealed class ContactInput
    {
        [StringLength(100, ErrorMessage = "At most 100 characters.")]
        public string? Name { get; set; }

        [StringLength(40, ErrorMessage = "At most 40 characters.")]
        public string? Phone { get; set; }

        [StringLength(254, ErrorMessage = "At most 254 characters.")]
        [EmailAddress(ErrorMessage = "Enter an e-mail address such as name@example.com.")]
        public string? Email { get; set; }

        [StringLength(4000, ErrorMessage = "At most 4,000 characters.")]
        public string? Notes { get; set; }
    }

    private int BusinessId => User.BusinessIdOf();

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        Input = new ContactInput
        {
            Name = Contact.Name, Phone = Contact.Phone is { } p ? Phones.Display(p) : null, Email = Contact.Email, Notes = Contact.Notes,
        };
        Notice = TempData["Notice"] as string;
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(int id, CancellationToken ct)
    {
        if (!await db.Contacts.AnyAsync(c => c.Id == id && c.BusinessId == BusinessId, ct))
        {
            return NotFound();
        }
        var phone = Phones.ToE164(Input.Phone);
        if (!string.IsNullOrWhiteSpace(Input.Phone) && phone is null)
        {
            ModelState.AddModelError("Input.Phone", l["This is not a phone number. Write it in international form: + and the country code, e.g. +49 30 1234567."]);
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(id, ct);
            return Page();
        }
        using (await gate.EnterAsync(ct))
        {
            await db.Contacts.Where(c => c.Id == id && c.BusinessId == BusinessId).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Name, Blank(Input.Name))
                .SetProperty(c => c.Phone, phone)
                .SetProperty(c => c.Email, Blank(Input.Email))
                .SetProperty(c => c.Notes, Blank(Input.Notes)), ct);
        }
        TempData["Notice"] = l["Saved."].Value;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostBlockAsync(int id, bool blocked, CancellationToken ct)
    {
        if (!await commands.SetBlockedAsync(BusinessId, id, blocked, ct))
        {
            return NotFound();
        }
        TempData["Notice"] = (blocked
            ? l["Blocked. Their messages are still kept, but raise no notification and get no automatic reply."]
            : l["Unblocked."]).Value;
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(int id, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.BusinessId == BusinessId, ct);
        if (contact is null)
        {
            return false;
        }
        Contact = contact;
        // A contact's labels are those of their chats (one continuous chat per channel).
        Chats = await db.Chats.AsNoTracking().Where(c => c.ContactId == id && c.BusinessId == BusinessId)
            .Select(c => new ContactChat(c.Id, c.Channel, c.Status, c.LastMessageAt,
                c.Labels.OrderBy(l => l.Label.Name).Select(l => new LabelView(l.LabelId, l.Label.Name, l.Label.Color)).ToList()))
            .ToListAsync(ct);
        var zone = await db.Businesses.Where(b => b.Id == BusinessId).Select(b => b.TimeZone).SingleAsync(ct);
        Zone = TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var tz) ? tz : TimeZoneInfo.Utc;
        return true;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    public string Title => Contact.Name ?? (Contact.Phone is { } p ? Phones.Display(p) : null) ?? Contact.Email ?? "#" + Contact.Id;

    public string Format(DateTimeOffset? at) =>
        at is { } value ? TimeZoneInfo.ConvertTime(value, Zone).ToString("d MMM yyyy HH:mm", CultureInfo.CurrentCulture) : "—";
}
