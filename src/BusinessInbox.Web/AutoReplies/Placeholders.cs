using System.Text.RegularExpressions;
using BusinessInbox.Data;
using BusinessInbox.Hours;

namespace BusinessInbox.AutoReplies;

/// <summary>
/// The placeholders auto-replies and quick replies may contain: <c>{contact.name}</c>, <c>{business.name}</c>,
/// <c>{business.hours_today}</c>, <c>{business.next_open}</c>. Unknown ones are refused when saving.
/// </summary>
public static partial class Placeholders
{
    public const string ContactName = "contact.name";
    public const string BusinessName = "business.name";
    public const string HoursToday = "business.hours_today";
    public const string NextOpen = "business.next_open";

    public static readonly IReadOnlyList<string> Known = [ContactName, BusinessName, HoursToday, NextOpen];

    [GeneratedRegex(@"\{([^{}\s]{1,40})\}")]
    private static partial Regex Token();

    /// <summary>The unknown placeholders in a text, as written, in order of appearance.</summary>
    public static IReadOnlyList<string> Unknown(string text) =>
        Token().Matches(text).Select(m => m.Groups[1].Value).Where(name => !Known.Contains(name)).Distinct().ToList();

    /// <summary>A message for the owner naming what is wrong and what is allowed, or null when the text is fine.</summary>
    public static string? Check(string text) =>
        Unknown(text) is { Count: > 0 } unknown
            ? $"Unknown placeholder {string.Join(", ", unknown.Select(u => "{" + u + "}"))}. You can use {string.Join(", ", Known.Select(k => "{" + k + "}"))}."
            : null;

    /// <summary>Fills the known placeholders; a value that is missing becomes empty text.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string?> values) =>
        Token().Replace(template, m => Known.Contains(m.Groups[1].Value) ? values.GetValueOrDefault(m.Groups[1].Value) ?? "" : m.Value);

    /// <summary>The values for one chat at one instant, as automatic and quick replies fill them in.</summary>
    public static Dictionary<string, string?> ValuesFor(string businessName, OpeningHours hours, BusinessClock clock, string? contactName, DateTimeOffset now) => new()
    {
        [ContactName] = contactName,
        [BusinessName] = businessName,
        [HoursToday] = HoursText.Today(hours, clock, now),
        [NextOpen] = HoursText.NextOpen(hours, clock, now),
    };
}
