using BusinessInbox.Tests.Infrastructure;

namespace BusinessInbox.Tests.WhatsApp;

public sealed class WhatsAppOptionsTests
{
    [Theory]
    [InlineData("WhatsApp:AppSecret", "short")]
    [InlineData("WhatsApp:VerifyToken", "abc")]
    [InlineData("WhatsApp:GraphApiBaseUrl", "graph.facebook.com")]
    [InlineData("WhatsApp:GraphApiVersion", "23")]
    public async Task Starting_with_a_bad_WhatsApp_setting_fails_with_a_message_naming_the_key(string key, string value)
    {
        await using var app = new InboxApp().WithSetting(key, value);

        var start = () => app.Services;

        start.Should().Throw<Exception>().Which.ToString().Should().Contain(key + " is not valid");
    }

    [Fact]
    public async Task Without_an_app_secret_the_shared_webhook_refuses_deliveries_and_handshakes()
    {
        await using var app = new InboxApp();
        using var http = app.CreateClient();

        (await http.GetAsync("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=&hub.challenge=1")).StatusCode.Should().Be(System.Net.HttpStatusCode.Forbidden);
        (await http.PostAsync("/webhooks/whatsapp", new StringContent("{}"))).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
    }
}
