using BusinessInbox.Channels.WhatsApp;

namespace BusinessInbox.Tests.WhatsApp;

public sealed class MediaFilesTests
{
    [Theory]
    [InlineData(new byte[] { 0x4F, 0x67, 0x67, 0x53, 0, 2 }, "audio", "audio/ogg")]
    [InlineData(new byte[] { 0x23, 0x21, 0x41, 0x4D, 0x52, 0x0A }, "audio", "audio/amr")]
    [InlineData(new byte[] { 0x49, 0x44, 0x33, 4, 0, 0 }, "audio", "audio/mpeg")]
    [InlineData(new byte[] { 0xFF, 0xFB, 0x90, 0x64 }, "audio", "audio/mpeg")]
    [InlineData(new byte[] { 0xFF, 0xF1, 0x50, 0x80 }, "audio", "audio/aac")]
    [InlineData(new byte[] { 0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x4D, 0x34, 0x41, 0x20 }, "audio", "audio/mp4")]
    [InlineData(new byte[] { 0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6F, 0x6D }, "video", "video/mp4")]
    [InlineData(new byte[] { 0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x33, 0x67, 0x70, 0x34 }, "video", "video/3gpp")]
    public void Audio_and_video_are_recognised_by_their_first_bytes(byte[] head, string type, string expected) =>
        WhatsAppMediaFiles.AudioOrVideo(head, type)!.Value.ContentType.Should().Be(expected);

    [Theory]
    [InlineData(new byte[] { 0x4D, 0x5A, 0x90, 0 }, "audio")]
    [InlineData(new byte[] { 0x4F, 0x67, 0x67, 0x53, 0, 2 }, "video")]
    [InlineData(new byte[] { 0x3C, 0x68, 0x74, 0x6D, 0x6C, 0x3E }, "video")]
    public void A_file_that_is_not_what_WhatsApp_sends_for_its_type_is_not_recognised(byte[] head, string type) =>
        WhatsAppMediaFiles.AudioOrVideo(head, type).Should().BeNull();

    [Fact]
    public void WhatsApps_checksum_is_read_as_hexadecimal_or_base64()
    {
        var digest = System.Security.Cryptography.SHA256.HashData("hello"u8);
        WhatsAppMediaFiles.Digest(Convert.ToHexStringLower(digest)).Should().Equal(digest);
        WhatsAppMediaFiles.Digest(Convert.ToBase64String(digest)).Should().Equal(digest);
        WhatsAppMediaFiles.Digest("x").Should().BeNull();
    }
}
