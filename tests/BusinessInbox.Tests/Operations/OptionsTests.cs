using BusinessInbox.Tests.Infrastructure;

namespace BusinessInbox.Tests.Operations;

public sealed class OptionsTests
{
    [Theory]
    [InlineData("Outbox:MaxAttempts", "0")]
    [InlineData("Outbox:FirstRetryDelay", "-00:00:05")]
    [InlineData("Outbox:PollInterval", "00:00:00")]
    public async Task Starting_with_a_bad_setting_fails_with_a_message_naming_the_key(string key, string value)
    {
        await using var app = new InboxApp().WithSetting(key, value);

        var start = () => app.Services;

        start.Should().Throw<Exception>().Which.ToString().Should().Contain(key);
    }
}
