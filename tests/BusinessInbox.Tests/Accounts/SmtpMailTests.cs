using System.Net;
using System.Net.Sockets;
using System.Text;
using BusinessInbox.Data;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Tests.Accounts;

public sealed class SmtpMailTests
{
    [Fact]
    public async Task An_invitation_reaches_the_configured_smtp_server()
    {
        using var smtp = new FakeSmtpServer();
        var serving = smtp.ReceiveOneAsync();
        await using var app = new InboxApp()
            .WithSetting("Smtp:Host", "127.0.0.1")
            .WithSetting("Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithSetting("Smtp:EnableSsl", "false")
            .WithSetting("Smtp:From", "inbox@bakery.test");
        var shop = await app.CreateBusinessAsync("bakery", name: "Crumb Bakery");
        var owner = await app.SignInAsync(shop.OwnerEmail);

        var (_, html) = await owner.Client.AddMemberAsync("nina@example.test", "Nina", MemberRole.Agent);

        AccountForms.Text(html).Should().Contain("The link was also sent by e-mail.");
        var mail = await serving.Within("the SMTP server to receive the invitation");
        mail.Should().Contain("RCPT TO:<nina@example.test>").And.Contain("MAIL FROM:<inbox@bakery.test>");
        var body = mail.Replace("=\r\n", "", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        body.Should().Contain("Crumb Bakery").And.Contain(AccountForms.SharedLink(html));
    }

    [Fact]
    public void An_smtp_host_without_a_sender_address_stops_the_app_with_a_message_naming_the_key()
    {
        using var app = new InboxApp().WithSetting("Smtp:Host", "mail.bakery.test");

        var start = () => app.CreateClient();

        start.Should().Throw<OptionsValidationException>().WithMessage("*Smtp:From*");
    }

    [Fact]
    public async Task Without_an_smtp_host_the_app_starts_without_any_smtp_keys()
    {
        await using var app = new InboxApp();

        using var client = app.CreateClient();

        (await client.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>Just enough SMTP on a loopback port to accept one message and hand back the conversation.</summary>
    private sealed class FakeSmtpServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public FakeSmtpServer() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public async Task<string> ReceiveOneAsync()
        {
            using var client = await _listener.AcceptTcpClientAsync();
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            var log = new StringBuilder();
            await writer.WriteLineAsync("220 fake ready");
            var inData = false;
            while (await reader.ReadLineAsync() is { } line)
            {
                log.Append(line).Append("\r\n");
                if (inData)
                {
                    if (line == ".")
                    {
                        inData = false;
                        await writer.WriteLineAsync("250 queued");
                    }
                    continue;
                }
                var command = line.Split(' ')[0].ToUpperInvariant();
                switch (command)
                {
                    case "EHLO" or "HELO":
                        await writer.WriteLineAsync("250 fake");
                        break;
                    case "DATA":
                        inData = true;
                        await writer.WriteLineAsync("354 go on");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return log.ToString();
                    default:
                        await writer.WriteLineAsync("250 ok");
                        break;
                }
            }
            return log.ToString();
        }

        public void Dispose() => _listener.Stop();
    }
}
