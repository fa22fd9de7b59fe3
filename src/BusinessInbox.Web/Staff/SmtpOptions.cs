using System.ComponentModel.DataAnnotations;

namespace BusinessInbox.Staff;

/// <summary>Outgoing e-mail for invitations and password links. Optional: without a host nothing is sent.</summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string? From { get; set; }
    public bool EnableSsl { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    // Checked only when a host is set, so that a server without e-mail starts without any Smtp keys.
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }
        if (Port is < 1 or > 65535)
        {
            yield return new ValidationResult("Smtp:Port must be between 1 and 65535.", [nameof(Port)]);
        }
        if (!System.Net.Mail.MailAddress.TryCreate(From, out _))
        {
            yield return new ValidationResult("Smtp:From must be the e-mail address the messages are sent from.", [nameof(From)]);
        }
        if (string.IsNullOrEmpty(UserName) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Smtp:UserName and Smtp:Password must be set together.", [nameof(UserName), nameof(Password)]);
        }
    }
}
