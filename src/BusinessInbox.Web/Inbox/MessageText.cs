using System.Globalization;

namespace BusinessInbox.Inbox;

/// <summary>The rules every message body follows, on every channel and in every composer.</summary>
public static class MessageText
{
    /// <summary>WhatsApp's limit, counted in Unicode code points (the composers count the same way).</summary>
    public const int MaxLength = 4096;

    public static int CodePoints(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            count++;
        }
        return count;
    }

    /// <summary>Returns the text to store (trimmed), or an error a person understands.</summary>
    public static (string? Text, string? Error) Check(string? raw)
    {
        var text = raw?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return (null, "Write a message first.");
        }
        var length = CodePoints(text);
        if (length > MaxLength)
        {
            return (null, string.Format(CultureInfo.InvariantCulture,
                "A message can have at most {0} characters; this one has {1}.", MaxLength, length));
        }
        return (text, null);
    }

    /// <summary>A one-line preview for the conversation list.</summary>
    public static string Preview(string body, int max = 100)
    {
        var line = string.Join(' ', body.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
        if (line.Length <= max)
        {
            return line;
        }
        var cut = max;
        if (char.IsHighSurrogate(line[cut - 1]))
        {
            cut--;
        }
        return line[..cut] + "…";
    }
}
