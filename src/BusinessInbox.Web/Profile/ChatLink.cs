using QRCoder;

namespace BusinessInbox.Profile;

/// <summary>The short link to a business's chat page, like wa.me links, and its QR code to print.</summary>
public static class ChatLink
{
    public const int MaxPrefillLength = 140;

    public static string For(HttpRequest request, string slug, string? prefill)
    {
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}/c/{Uri.EscapeDataString(slug)}";
        return string.IsNullOrWhiteSpace(prefill) ? url : url + "?text=" + Uri.EscapeDataString(prefill.Trim());
    }

    public static byte[] Png(string url)
    {
        using var data = QRCodeGenerator.GenerateQrCode(url, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(12);
    }

    public static string Svg(string url)
    {
        using var data = QRCodeGenerator.GenerateQrCode(url, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(12);
    }
}
