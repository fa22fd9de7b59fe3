using System.Text.RegularExpressions;
using BusinessInbox.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Setup;

public sealed record NewBusiness(string Name, string Slug, string TimeZone, string OwnerName, string OwnerEmail, string OwnerPassword);

/// <summary>The outcome of creating a business: its id, or the problems by field (keys match <see cref="NewBusiness"/>'s properties).</summary>
public sealed record SetupResult(int? BusinessId, string? OwnerId, IReadOnlyDictionary<string, string> Errors)
{
    public bool Succeeded => BusinessId is not null;
}

/// <summary>
/// Creates a business with its first owner, for <c>/setup</c> and the <c>setup</c> command alike.
/// An owner who already has an account (by e-mail) keeps it and becomes owner of the new business too.
/// </summary>
public sealed partial class BusinessSetup(InboxDb db, UserManager<AppUser> users, TimeProvider clock)
{
    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")]
    private static partial Regex SlugPattern();

    public static string? CheckSlug(string? slug) =>
        string.IsNullOrWhiteSpace(slug) ? "Choose a short link name."
        : SlugPattern().IsMatch(slug) ? null
        : "Use 3 to 40 lowercase letters, digits or hyphens, starting and ending with a letter or digit.";

    public static bool IsKnownTimeZone(string? zone) =>
        !string.IsNullOrWhiteSpace(zone) && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var tz) && tz.HasIanaId;

    public Task<bool> AnyBusinessAsync(CancellationToken ct) => db.Businesses.AnyAsync(ct);

    public async Task<SetupResult> CreateAsync(NewBusiness input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var name = input.Name?.Trim() ?? "";
        var slug = input.Slug?.Trim().ToLowerInvariant() ?? "";
        var ownerName = input.OwnerName?.Trim() ?? "";
        var email = input.OwnerEmail?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            errors[nameof(NewBusiness.Name)] = "Enter the business name (at most 100 characters).";
        }
        if (CheckSlug(slug) is { } slugError)
        {
            errors[nameof(NewBusiness.Slug)] = slugError;
        }
        else if (await db.Businesses.AnyAsync(b => b.Slug == slug, ct))
        {
            errors[nameof(NewBusiness.Slug)] = $"The short link name \"{slug}\" is already taken.";
        }
        if (!IsKnownTimeZone(input.TimeZone))
        {
            errors[nameof(NewBusiness.TimeZone)] = $"\"{input.TimeZone}\" is not a known time zone; use an IANA name such as Europe/Berlin.";
        }
        if (ownerName.Length is 0 or > 100)
        {
            errors[nameof(NewBusiness.OwnerName)] = "Enter the owner's name (at most 100 characters).";
        }
        if (!System.Net.Mail.MailAddress.TryCreate(email, out _))
        {
            errors[nameof(NewBusiness.OwnerEmail)] = "Enter a valid e-mail address.";
        }

        var existing = errors.ContainsKey(nameof(NewBusiness.OwnerEmail)) ? null : await users.FindByEmailAsync(email);
        if (existing is null)
        {
            foreach (var validator in users.PasswordValidators)
            {
                var check = await validator.ValidateAsync(users, new AppUser { UserName = email, Email = email }, input.OwnerPassword ?? "");
                if (!check.Succeeded)
                {
                    errors[nameof(NewBusiness.OwnerPassword)] = string.Join(" ", check.Errors.Select(e => e.Description));
                }
            }
        }
        else if (!await users.CheckPasswordAsync(existing, input.OwnerPassword ?? ""))
        {
            errors[nameof(NewBusiness.OwnerPassword)] = "An account with this e-mail exists; enter its password to add the business to it.";
        }
        if (errors.Count > 0)
        {
            return new SetupResult(null, null, errors);
        }

        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var owner = existing;
        if (owner is null)
        {
            owner = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = ownerName };
            var created = await users.CreateAsync(owner, input.OwnerPassword!);
            if (!created.Succeeded)
            {
                return new SetupResult(null, null, new Dictionary<string, string>
                {
                    [nameof(NewBusiness.OwnerEmail)] = string.Join(" ", created.Errors.Select(e => e.Description)),
                });
            }
        }
        var business = new Business { Name = name, Slug = slug, TimeZone = input.TimeZone, CreatedAt = now };
        db.Businesses.Add(business);
        await db.SaveChangesAsync(ct);
        db.Memberships.Add(new Membership { BusinessId = business.Id, UserId = owner.Id, Role = MemberRole.Owner, JoinedAt = now });
        Labels.LabelService.AddDefaults(db, business.Id);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new SetupResult(business.Id, owner.Id, errors);
    }
}
