using Microsoft.AspNetCore.DataProtection;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>Encrypts access tokens and app secrets at rest with the app's persisted data-protection keys.</summary>
public sealed class WhatsAppSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("BusinessInbox.WhatsApp.Secrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);

    /// <summary>Enough of a token to recognise it, never enough to use it.</summary>
    public static string Hint(string token) => token.Length <= 8 ? "…" : "…" + token[^4..];
}
