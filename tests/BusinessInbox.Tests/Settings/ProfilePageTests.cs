using System.Net;
using System.Net.Http.Headers;
using BusinessInbox.Data;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using SkiaSharp;

namespace BusinessInbox.Tests.Settings;

public sealed class ProfilePageTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static Dictionary<string, string> ProfileForm(string token, string version, string name = "Blumen Koch", string? website = "https://blumen.example") => new()
    {
        ["__RequestVerificationToken"] = token,
        ["Input.Version"] = version,
        ["Input.Name"] = name,
        ["Input.Category"] = "Retail",
        ["Input.Description"] = "Flowers for every day.",
        ["Input.Address"] = "Hauptstraße 1, Berlin",
        ["Input.Email"] = "hello@blumen.example",
        ["Input.Website1"] = website ?? "",
    };

    private static string Field(string html, string name) =>
        System.Text.RegularExpressions.Regex.Match(html, $"name=\"{System.Text.RegularExpressions.Regex.Escape(name)}\" value=\"([^\"]*)\"").Groups[1].Value;

    private static byte[] Image(SKEncodedImageFormat format, int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Teal);
        }
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(format, 90).ToArray();
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] bytes, string fileName, string contentType)
    {
        var token = InboxApp.AntiforgeryToken(await client.GetStringAsync("/settings/profile"));
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(token), "__RequestVerificationToken");
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "Logo", fileName);
        return await client.PostAsync("/settings/profile?handler=Logo", form);
    }

    [Fact]
    public async Task The_saved_profile_is_shown_on_the_customer_page()
    {
        var shop = await _app.CreateBusinessAsync("blumen");
        var owner = await _app.SignInAsync(shop.OwnerEmail);
        var page = await owner.Client.GetStringAsync("/settings/profile");

        var saved = await owner.Client.PostAsync("/settings/profile",
            new FormUrlEncodedContent(ProfileForm(InboxApp.AntiforgeryToken(page), Field(page, "Input.Version"))));

        saved.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var customerPage = WebUtility.HtmlDecode(await _app.CreateClient().GetStringAsync("/c/blumen"));
        customerPage.Should().Contain("Blumen Koch").And.Contain("Flowers for every day.").And.Contain("Hauptstraße 1, Berlin").And.Contain("https://blumen.example");
    }

    [Fact]
    public async Task When_two_owners_save_at_once_the_second_is_told_and_sees_the_new_values()
    {
        var shop = await _app.CreateBusinessAsync("twins");
        var first = await _app.SignInAsync(shop.OwnerEmail);
        await _app.AddMemberAsync(shop, "second@twins.test", MemberRole.Owner);
        var second = await _app.SignInAsync("second@twins.test");
        var firstPage = await first.Client.GetStringAsync("/settings/profile");
        var secondPage = await second.Client.GetStringAsync("/settings/profile");

        await first.Client.PostAsync("/settings/profile", new FormUrlEncodedContent(ProfileForm(InboxApp.AntiforgeryToken(firstPage), Field(firstPage, "Input.Version"), name: "First Name")));
        var late = await second.Client.PostAsync("/settings/profile", new FormUrlEncodedContent(ProfileForm(InboxApp.AntiforgeryToken(secondPage), Field(secondPage, "Input.Version"), name: "Second Name")));

        var html = WebUtility.HtmlDecode(await late.Content.ReadAsStringAsync());
        html.Should().Contain("Someone else changed the profile while you were editing");
        Field(html, "Input.Name").Should().Be("First Name");
        (await _app.WithDbAsync(db => db.Businesses.SingleAsync(b => b.Id == shop.Id))).Name.Should().Be("First Name");
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://files.example")]
    [InlineData("blumen.example")]
    public async Task A_website_that_is_not_http_or_https_is_refused(string website)
    {
        var shop = await _app.CreateBusinessAsync("webby");
        var owner = await _app.SignInAsync(shop.OwnerEmail);
        var page = await owner.Client.GetStringAsync("/settings/profile");

        var response = await owner.Client.PostAsync("/settings/profile",
            new FormUrlEncodedContent(ProfileForm(InboxApp.AntiforgeryToken(page), Field(page, "Input.Version"), website: website)));

        (await response.Content.ReadAsStringAsync()).Should().Contain("Enter a full web address starting with http:// or https://.");
        (await _app.WithDbAsync(db => db.Businesses.SingleAsync(b => b.Id == shop.Id))).Website1.Should().BeNull();
    }

    [Fact]
    public async Task An_uploaded_logo_is_resized_and_appears_on_the_customer_page()
    {
        var shop = await _app.CreateBusinessAsync("logo-shop");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var response = await UploadAsync(owner.Client, Image(SKEncodedImageFormat.Jpeg, 1600, 800), "photo.jpg", "image/jpeg");

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var customerPage = await _app.CreateClient().GetStringAsync("/c/logo-shop");
        customerPage.Should().Contain("/c/logo-shop/logo?v=1");
        var logo = await _app.CreateClient().GetByteArrayAsync("/c/logo-shop/logo");
        using var decoded = SKBitmap.Decode(logo);
        (decoded.Width, decoded.Height).Should().Be((512, 256));
    }

    [Fact]
    public async Task A_renamed_text_file_and_a_3_MB_image_are_refused_as_logos_and_nothing_is_saved()
    {
        var shop = await _app.CreateBusinessAsync("strict");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var text = await UploadAsync(owner.Client, "not really an image"u8.ToArray(), "logo.png", "image/png");
        WebUtility.HtmlDecode(await text.Content.ReadAsStringAsync()).Should().Contain("The logo must be a PNG, JPEG or WebP image.");

        var big = new byte[3 * 1024 * 1024];
        Image(SKEncodedImageFormat.Png, 10, 10).CopyTo(big, 0);
        var tooBig = await UploadAsync(owner.Client, big, "big.png", "image/png");
        WebUtility.HtmlDecode(await tooBig.Content.ReadAsStringAsync()).Should().Contain("it can be at most 2 MB");

        (await _app.WithDbAsync(db => db.BusinessLogos.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task The_qr_code_downloads_as_png_and_svg_with_the_prefilled_message()
    {
        var shop = await _app.CreateBusinessAsync("qr-shop");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        var png = await owner.Client.GetAsync("/settings/profile?handler=Qr&format=png&prefill=Hello");
        var svg = await owner.Client.GetAsync("/settings/profile?handler=Qr&format=svg");
        var page = WebUtility.HtmlDecode(await owner.Client.GetStringAsync("/settings/profile?prefill=I%27d%20like%20to%20order"));

        png.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        SKBitmap.Decode(await png.Content.ReadAsByteArrayAsync()).Should().NotBeNull();
        (await svg.Content.ReadAsStringAsync()).Should().Contain("<svg");
        page.Should().Contain("/c/qr-shop?text=I%27d%20like%20to%20order");
        (await owner.Client.GetAsync("/settings/profile?handler=Qr&prefill=" + new string('x', 141))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
