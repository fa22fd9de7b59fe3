using BusinessInbox.Attachments;
using SkiaSharp;

namespace BusinessInbox.Tests.Attachments;

public sealed class AttachmentFilesTests
{
    [Fact]
    public void A_photo_loses_its_exif_and_location_but_keeps_its_pixels()
    {
        var original = TestFiles.JpegWithGps();
        TestFiles.Contains(original, "Exif").Should().BeTrue("the test photo must carry metadata to begin with");

        var (file, error) = AttachmentFiles.Check(original, "IMG_0001.JPG");

        error.Should().BeNull();
        file!.ContentType.Should().Be("image/jpeg");
        file.FileName.Should().Be("IMG_0001.jpg");
        (file.Width, file.Height).Should().Be((640, 480));
        TestFiles.Contains(file.Content, "Exif").Should().BeFalse();
        TestFiles.Contains(file.Content, TestFiles.GpsSecret).Should().BeFalse();
        using var thumbnail = SKBitmap.Decode(file.Thumbnail);
        Math.Max(thumbnail.Width, thumbnail.Height).Should().Be(AttachmentFiles.ThumbnailSide);
    }

    [Fact]
    public void An_animated_gif_keeps_its_frames_and_looping_but_not_its_comment()
    {
        var (file, error) = AttachmentFiles.Check(TestFiles.AnimatedGifWithComment(), "dance.gif");

        error.Should().BeNull();
        file!.ContentType.Should().Be("image/gif");
        TestFiles.Contains(file.Content, "SECRET-NOTE").Should().BeFalse();
        TestFiles.Contains(file.Content, "NETSCAPE2.0").Should().BeTrue();
        using var codec = SKCodec.Create(new SKMemoryStream(file.Content));
        codec.FrameCount.Should().Be(2);
    }

    [Theory]
    [InlineData("report.pdf")]
    [InlineData("photo.jpg")]
    public void A_program_is_refused_whatever_it_is_called(string name)
    {
        AttachmentFiles.Check(TestFiles.ExecutableCalledPdf(), name).Error.Should().Be("This file is not a JPEG, PNG, WebP, GIF or PDF.");
    }

    [Theory]
    [InlineData("../../etc/passwd.pdf", "passwd.pdf")]
    [InlineData("C:\\Users\\me\\scan.PNG", "scan.pdf")]
    [InlineData("", "document.pdf")]
    [InlineData("\u0007bell.pdf", "bell.pdf")]
    public void A_document_keeps_only_a_plain_name_with_the_extension_of_what_it_is(string declared, string expected)
    {
        AttachmentFiles.Check(TestFiles.Pdf(), declared).File!.FileName.Should().Be(expected);
    }
}
