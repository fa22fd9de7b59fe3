using PhoneNumbers;

namespace BusinessInbox.Contacts;

/// <summary>
/// Phone numbers as the directory stores them: E.164. Numbers must be written in international form
/// (+ and the country code, or 00): a business serves customers from abroad, and guessing a country
/// for a national number would silently store the wrong person's number.
/// </summary>
public static class Phones
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>The number in E.164, or null when <paramref name="input"/> is not a valid international number.</summary>
    public static string? ToE164(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }
        var text = input.Trim();
        if (text.StartsWith("00", StringComparison.Ordinal))
        {
            text = "+" + text[2..];
        }
        if (!text.StartsWith('+'))
        {
            return null;
        }
        try
        {
            var number = Util.Parse(text, null);
            return Util.IsValidNumber(number) ? Util.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>Readable form for the pages, e.g. +49 30 1234567.</summary>
    public static string Display(string e164)
    {
        try
        {
            return Util.Format(Util.Parse(e164, null), PhoneNumberFormat.INTERNATIONAL);
        }
        catch (NumberParseException)
        {
            return e164;
        }
    }
}
