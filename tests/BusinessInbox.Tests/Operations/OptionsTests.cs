using BusinessInbox.Data;
using BusinessInbox.Hosting;
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

    [Fact]
    public void An_empty_data_folder_setting_is_refused_with_its_full_key()
    {
        var result = new SectionValidation<StorageOptions>(StorageOptions.Section).Validate(null, new StorageOptions { DataPath = "" });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().StartWith("Storage:DataPath is not valid:");
    }
}
