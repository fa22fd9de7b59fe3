using System.ComponentModel.DataAnnotations;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages.Settings.WhatsApp;

public sealed record QuarantineRow(long Id, DateTimeOffset ReceivedAt, string Reason, string Excerpt);

/// <summary>
/// Settings → Channels → WhatsApp (owners only): the number's ids and access token (write-only), a connection
/// test, the webhook subscription, a shop's own Meta app, and webhook bodies that could not be read.
/// </summary>
public sealed class IndexModel(
    InboxDb db, WhatsAppSecrets secrets, WhatsAppNumbers numbers, GraphApiClient graph, WhatsAppTemplates templates, TimeProvider clock, IStringLocalizer<IndexModel> l) : PageModel
{
    private const int QuarantineShown = 20;

    public WhatsAppChannel? Channel { get; private set; }
    public string Slug { get; private set; } = "";
    public IReadOnlyList<QuarantineRow> Quarantine { get; private set; } = [];
    public IReadOnlyList<WhatsAppTemplate> Templates { get; private set; } = [];
    /// <summary>The outcome of the last action (test, subscribe, save), with whether it went well.</summary>
    public (bool Ok, string Text)? Result { get; private set; }

    [BindProperty]
    public ConnectionInput Input { get; set; } = new();

    public sealed class ConnectionInput
    {
        [Required(ErrorMessage = "Enter the phone number id from the WhatsApp Manager.")]
        [RegularExpression(@"^\d{5,40}$", ErrorMessage = "The phone number id is a number, such as 106540352242922.")]
        [Display(Name = "Phone number id")]
        public string PhoneNumberId { get; set; } = "";

        [Required(ErrorMessage = "Enter the WhatsApp Business Account id.")]
        [RegularExpression(@"^\d{5,40}$", ErrorMessage = "The WhatsApp Business Account id is a number, such as 102290129340398.")]
        [Display(Name = "WhatsApp Business Account id")]
        public string WabaId { get; set; } = "";

        [StringLength(2000, MinimumLength = 20, ErrorMessage = "That does not look like an access token.")]
        [Display(Name = "Access token")]
        public string? AccessToken { get; set; }

        [StringLength(200, MinimumLength = 16, ErrorMessage = "The App Secret is at least 16 characters.")]
        [Display(Name = "Your Meta app's App Secret")]
        public string? OwnAppSecret { get; set; }

        [StringLength(200, MinimumLength = 8, ErrorMessage = "Choose a verify token of at least 8 characters.")]
        [Display(Name = "Your Meta app's verify token")]
        public string? OwnVerifyToken { get; set; }

        [Display(Name = "Send read receipts")]
        public bool SendReadReceipts { get; set; }

        [Display(Name = "Remove my own Meta app")]
        public bool RemoveOwnApp { get; set; }
    }

    private int BusinessId => User.BusinessIdOf();

    public string SharedWebhookUrl => $"{Request.Scheme}://{Request.Host}/webhooks/whatsapp";

    public string OwnWebhookUrl => $"{Request.Scheme}://{Request.Host}/webhooks/whatsapp/{Slug}";

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Channel is not null)
        {
            Input = new ConnectionInput
            {
                PhoneNumberId = Channel.PhoneNumberId, WabaId = Channel.WabaId, OwnVerifyToken = Channel.VerifyToken, SendReadReceipts = Channel.SendReadReceipts,
            };
        }
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Channel is null && string.IsNullOrWhiteSpace(Input.AccessToken))
        {
            ModelState.AddModelError("Input.AccessToken", l["Enter the access token."]);
        }
        var ownApp = !string.IsNullOrWhiteSpace(Input.OwnAppSecret) || !string.IsNullOrWhiteSpace(Input.OwnVerifyToken);
        if (ownApp && !Input.RemoveOwnApp && string.IsNullOrWhiteSpace(Input.OwnVerifyToken))
        {
            ModelState.AddModelError("Input.OwnVerifyToken", l["Enter your Meta app's verify token as well."]);
        }
        if (ownApp && !Input.RemoveOwnApp && string.IsNullOrWhiteSpace(Input.OwnAppSecret) && Channel?.AppSecretProtected is null)
        {
            ModelState.AddModelError("Input.OwnAppSecret", l["Enter your Meta app's App Secret as well."]);
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var now = clock.GetUtcNow();
        var channel = await db.WhatsAppChannels.SingleOrDefaultAsync(c => c.BusinessId == BusinessId, ct);
        if (channel is null)
        {
            channel = new WhatsAppChannel
            {
                BusinessId = BusinessId, PhoneNumberId = "", WabaId = "", AccessTokenProtected = "", AccessTokenHint = "", CreatedAt = now,
            };
            db.WhatsAppChannels.Add(channel);
        }
        channel.PhoneNumberId = Input.PhoneNumberId.Trim();
        channel.WabaId = Input.WabaId.Trim();
        channel.SendReadReceipts = Input.SendReadReceipts;
        if (!string.IsNullOrWhiteSpace(Input.AccessToken))
        {
            var token = Input.AccessToken.Trim();
            channel.AccessTokenProtected = secrets.Protect(token);
            channel.AccessTokenHint = WhatsAppSecrets.Hint(token);
            // A new token lifts the pause an expired one caused; the owner's warning stays until a test proves it.
            channel.Status = channel.Status == WhatsAppChannelStatus.Connected ? WhatsAppChannelStatus.Connected : WhatsAppChannelStatus.TokenUntested;
            channel.StatusReason = null;
            channel.StatusChangedAt = now;
        }
        if (Input.RemoveOwnApp)
        {
            channel.AppSecretProtected = null;
            channel.VerifyToken = null;
        }
        else if (ownApp)
        {
            channel.VerifyToken = Input.OwnVerifyToken!.Trim();
            if (!string.IsNullOrWhiteSpace(Input.OwnAppSecret))
            {
                channel.AppSecretProtected = secrets.Protect(Input.OwnAppSecret.Trim());
            }
        }
        try
        {
            await db.SaveChangesAsync(ct);
            numbers.Forget();
        }
        catch (DbUpdateException)
        {
            // The unique index on the phone number id: webhooks are routed by it, so it belongs to one business.
            ModelState.AddModelError("Input.PhoneNumberId", l["This phone number id is already connected to another business."]);
            db.ChangeTracker.Clear();
            await LoadAsync(ct);
            return Page();
        }
        Result = (true, l["Saved."]);
        if (!string.IsNullOrWhiteSpace(Input.AccessToken))
        {
            // Connecting (or a new token) brings the account's templates, so that the composer can offer them.
            var synced = await SyncTemplatesAsync(ct);
            Result = (synced.Ok, $"{Result.Value.Text} {synced.Text}");
        }
        ModelState.Clear();
        await OnGetAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostTestAsync(CancellationToken ct)
    {
        ModelState.Clear();
        await OnGetAsync(ct);
        if (Channel is null)
        {
            return NotFound();
        }
        try
        {
            var number = await graph.PhoneNumberAsync(Channel.PhoneNumberId, secrets.Unprotect(Channel.AccessTokenProtected), ct);
            Result = (true, l["Connected: {0} ({1})", number.VerifiedName ?? "—", number.DisplayPhoneNumber ?? "—"]);
            await SetStatusAsync(WhatsAppChannelStatus.Connected, null, ct);
        }
        catch (GraphApiException ex) when (ex.Code == WhatsAppErrors.TokenInvalid)
        {
            Result = (false, l["WhatsApp answered: {0}", ErrorText(ex)]);
            await SetStatusAsync(WhatsAppChannelStatus.TokenFailed, WhatsAppErrors.TokenFailedReason, ct);
        }
        catch (Exception ex) when (ex is GraphApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Result = (false, l["WhatsApp answered: {0}", ErrorText(ex)]);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostSubscribeAsync(CancellationToken ct)
    {
        ModelState.Clear();
        await OnGetAsync(ct);
        if (Channel is null)
        {
            return NotFound();
        }
        try
        {
            await graph.SubscribeAppAsync(Channel.WabaId, secrets.Unprotect(Channel.AccessTokenProtected), ct);
            Result = (true, l["Subscribed: WhatsApp now sends this account's messages and statuses to the webhook."]);
        }
        catch (Exception ex) when (ex is GraphApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Result = (false, l["WhatsApp answered: {0}", ErrorText(ex)]);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostSyncTemplatesAsync(CancellationToken ct)
    {
        ModelState.Clear();
        await OnGetAsync(ct);
        if (Channel is null)
        {
            return NotFound();
        }
        Result = await SyncTemplatesAsync(ct);
        await LoadAsync(ct);
        return Page();
    }

    private async Task SetStatusAsync(WhatsAppChannelStatus status, string? reason, CancellationToken ct)
    {
        if (Channel!.Status == status)
        {
            return;
        }
        var now = clock.GetUtcNow();
        await db.WhatsAppChannels.Where(c => c.Id == Channel.Id).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.Status, status).SetProperty(c => c.StatusReason, reason).SetProperty(c => c.StatusChangedAt, now), ct);
        await LoadAsync(ct);
    }

    private async Task<(bool Ok, string Text)> SyncTemplatesAsync(CancellationToken ct)
    {
        try
        {
            var count = await templates.SyncAsync(BusinessId, ct);
            return (true, l["Templates synced: {0}.", count]);
        }
        catch (Exception ex) when (ex is GraphApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (false, l["Templates could not be synced. WhatsApp answered: {0}", ErrorText(ex)]);
        }
    }

    private string ErrorText(Exception ex) => ex switch
    {
        GraphApiException g when g.Code is { } code => $"{g.Message} (code {code})",
        GraphApiException g => g.Message,
        TaskCanceledException => l["no answer in time."],
        _ => l["the Graph API could not be reached."],
    };

    private async Task LoadAsync(CancellationToken ct)
    {
        Channel = await db.WhatsAppChannels.AsNoTracking().SingleOrDefaultAsync(c => c.BusinessId == BusinessId, ct);
        Slug = await db.Businesses.Where(b => b.Id == BusinessId).Select(b => b.Slug).SingleAsync(ct);
        var rows = await db.WebhookQuarantine.AsNoTracking().Where(q => q.BusinessId == BusinessId)
            .OrderByDescending(q => q.Id).Take(QuarantineShown)
            .Select(q => new { q.Id, q.ReceivedAt, q.Reason, Excerpt = q.Body.Substring(0, 300) })
            .ToListAsync(ct);
        Quarantine = [.. rows.Select(r => new QuarantineRow(r.Id, r.ReceivedAt, r.Reason, r.Excerpt))];
        Templates = await db.WhatsAppTemplates.AsNoTracking().Where(t => t.BusinessId == BusinessId)
            .OrderBy(t => t.Name).ThenBy(t => t.Language).ToListAsync(ct);
    }
}
