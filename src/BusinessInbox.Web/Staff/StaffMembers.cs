using System.Text;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Staff;

public sealed record MemberRow(string UserId, string Name, string Email, MemberRole Role, DateTimeOffset JoinedAt, bool HasPassword);

public enum StaffChange
{
    Done,
    NotFound,
    /// <summary>The change would leave the business without an owner.</summary>
    LastOwner,
    /// <summary>The member also belongs to a business the acting owner does not own, so their password is theirs alone.</summary>
    NotYourAccount,
}

public enum MailOutcome
{
    NotConfigured,
    Sent,
    Failed,
}

/// <summary>A link that lets a member choose a password: single use, valid for three days.</summary>
public sealed record PasswordLink(string Url, MailOutcome Mail);

public sealed record AddOutcome(string? Error, bool HasPassword, PasswordLink? Link)
{
    public static AddOutcome Failed(string error) => new(error, false, null);
}

/// <summary>
/// The owner's staff management: members of a business, invitations and password links, role changes and
/// removal. The business always keeps at least one owner; the checks are part of the writing statement,
/// so two owners demoting each other at the same moment cannot both succeed.
/// </summary>
public sealed class StaffMembers(
    InboxDb db,
    UserManager<AppUser> users,
    StaffConnections connections,
    IHubContext<InboxHub, IInboxClient> hub,
    IMailSender mail,
    IStringLocalizer<StaffMembers> l,
    TimeProvider clock,
    ILogger<StaffMembers> logger)
{
    public Task<List<MemberRow>> ListAsync(int businessId, CancellationToken ct) =>
        db.Memberships.AsNoTracking().Where(m => m.BusinessId == businessId)
            .OrderBy(m => m.User.DisplayName).ThenBy(m => m.User.Email)
            .Select(m => new MemberRow(m.UserId, m.User.DisplayName, m.User.Email ?? "", m.Role, m.JoinedAt, m.User.PasswordHash != null))
            .ToListAsync(ct);

    /// <summary>
    /// Adds a member by e-mail. A new account gets no password but an invitation link; an existing account
    /// simply gains the business and switches to it in the header.
    /// </summary>
    public async Task<AddOutcome> AddAsync(int businessId, string actorId, string email, string name, MemberRole role, string origin, CancellationToken ct)
    {
        email = email.Trim();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new AppUser { UserName = email, Email = email, DisplayName = name.Trim() };
            var created = await users.CreateAsync(user);
            if (!created.Succeeded)
            {
                return AddOutcome.Failed(string.Join(" ", created.Errors.Select(e => e.Description)));
            }
        }
        else if (await IsMemberAsync(businessId, user.Id, ct))
        {
            return AddOutcome.Failed(l["{0} is already a member of this business.", email]);
        }
        db.Memberships.Add(new Membership { BusinessId = businessId, UserId = user.Id, Role = role, JoinedAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return AddOutcome.Failed(l["{0} is already a member of this business.", email]);
        }
        var hasPassword = user.PasswordHash is not null;
        if (hasPassword || !await MayManagePasswordAsync(actorId, user.Id, ct))
        {
            return new AddOutcome(null, hasPassword, null);
        }
        return new AddOutcome(null, false, await PasswordLinkAsync(user, businessId, origin, invitation: true, ct));
    }

    /// <summary>A new password link for a member who forgot theirs (or never used their invitation).</summary>
    public async Task<(StaffChange Result, PasswordLink? Link)> ResetLinkAsync(int businessId, string actorId, string userId, string origin, CancellationToken ct)
    {
        if (!await IsMemberAsync(businessId, userId, ct) || await users.FindByIdAsync(userId) is not { } user)
        {
            return (StaffChange.NotFound, null);
        }
        if (!await MayManagePasswordAsync(actorId, userId, ct))
        {
            return (StaffChange.NotYourAccount, null);
        }
        return (StaffChange.Done, await PasswordLinkAsync(user, businessId, origin, invitation: user.PasswordHash is null, ct));
    }

    public async Task<StaffChange> ChangeRoleAsync(int businessId, string userId, MemberRole role, CancellationToken ct)
    {
        var owners = db.Memberships.Where(o => o.BusinessId == businessId && o.Role == MemberRole.Owner);
        var changed = await db.Memberships
            .Where(m => m.BusinessId == businessId && m.UserId == userId
                && (role == MemberRole.Owner || m.Role != MemberRole.Owner || owners.Count() > 1))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, role), ct);
        return changed > 0 ? StaffChange.Done : await IsMemberAsync(businessId, userId, ct) ? StaffChange.LastOwner : StaffChange.NotFound;
    }

    /// <summary>
    /// Removes a member: their browsers are signed out (new security stamp) and their open inbox connections
    /// are told and closed now, so they stop receiving this business's messages at once.
    /// </summary>
    public async Task<StaffChange> RemoveAsync(int businessId, string userId, CancellationToken ct)
    {
        var owners = db.Memberships.Where(o => o.BusinessId == businessId && o.Role == MemberRole.Owner);
        var removed = await db.Memberships
            .Where(m => m.BusinessId == businessId && m.UserId == userId && (m.Role != MemberRole.Owner || owners.Count() > 1))
            .ExecuteDeleteAsync(ct);
        if (removed == 0)
        {
            return await IsMemberAsync(businessId, userId, ct) ? StaffChange.LastOwner : StaffChange.NotFound;
        }
        if (await users.FindByIdAsync(userId) is { } user)
        {
            await users.UpdateSecurityStampAsync(user);
        }
        var open = connections.ConnectionIdsOf(userId, businessId);
        if (open.Count > 0)
        {
            await hub.Clients.Clients(open).AccessRevoked();
            connections.Disconnect(userId, businessId);
        }
        return StaffChange.Done;
    }

    private Task<bool> IsMemberAsync(int businessId, string userId, CancellationToken ct) =>
        db.Memberships.AnyAsync(m => m.BusinessId == businessId && m.UserId == userId, ct);

    // Whoever can set a password can sign in as that person; an owner may do that only for someone whose
    // every business they own, never for a member who also works for someone else.
    private Task<bool> MayManagePasswordAsync(string actorId, string userId, CancellationToken ct) =>
        db.Memberships.Where(m => m.UserId == userId)
            .AllAsync(m => db.Memberships.Any(o => o.UserId == actorId && o.BusinessId == m.BusinessId && o.Role == MemberRole.Owner), ct);

    private async Task<PasswordLink> PasswordLinkAsync(AppUser user, int businessId, string origin, bool invitation, CancellationToken ct)
    {
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var url = $"{origin.TrimEnd('/')}/account/accept-invite?user={Uri.EscapeDataString(user.Id)}"
            + $"&token={WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token))}&business={businessId}";
        if (!mail.IsConfigured)
        {
            return new PasswordLink(url, MailOutcome.NotConfigured);
        }
        var business = await db.Businesses.Where(b => b.Id == businessId).Select(b => b.Name).SingleAsync(ct);
        var (subject, body) = invitation
            ? (l["You are invited to {0} on BusinessInbox", business].Value,
                l["Hello {0},\n\nYou were added to the team of {1}. Open this link to choose your password and sign in:\n\n{2}\n\nThe link works once and expires in 3 days.", user.DisplayName, business, url].Value)
            : (l["Choose a new password for BusinessInbox"].Value,
                l["Hello {0},\n\nThe owner of {1} made you a link to choose a new password:\n\n{2}\n\nThe link works once and expires in 3 days.", user.DisplayName, business, url].Value);
        try
        {
            await mail.SendAsync(user.Email!, subject, body, ct);
            return new PasswordLink(url, MailOutcome.Sent);
        }
        catch (Exception ex) when (ex is System.Net.Mail.SmtpException or IOException or InvalidOperationException)
        {
            logger.LogWarning(ex, "The password link e-mail for member {UserId} could not be sent", user.Id);
            return new PasswordLink(url, MailOutcome.Failed);
        }
    }
}
