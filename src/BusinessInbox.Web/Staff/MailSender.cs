using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Staff;

/// <summary>Sends plain-text e-mail to staff (invitations, password links).</summary>
public interface IMailSender
{
    bool IsConfigured { get; }

    Task SendAsync(string recipient, string subject, string body, CancellationToken ct);
}

/// <summary>Sends through the SMTP server under <c>Smtp:*</c>.</summary>
public sealed class SmtpMailSender(IOptions<SmtpOptions> options) : IMailSender
{
    public bool IsConfigured => options.Value.IsConfigured;

    public async Task SendAsync(string recipient, string subject, string body, CancellationToken ct)
    {
        var o = options.Value;
        if (!o.IsConfigured)
        {
            throw new InvalidOperationException("E-mail is not configured (Smtp:Host).");
        }
        using var message = new MailMessage(o.From!, recipient, subject, body);
        using var client = new SmtpClient(o.Host, o.Port) { EnableSsl = o.EnableSsl };
        if (!string.IsNullOrEmpty(o.UserName))
        {
            client.Credentials = new NetworkCredential(o.UserName, o.Password);
        }
        await client.SendMailAsync(message, ct);
    }
}
