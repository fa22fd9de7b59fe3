using System.Globalization;
using System.Text.RegularExpressions;
using BusinessInbox.Hours;

namespace BusinessInbox.AutoReplies;

public enum AwaySchedule
{
    Always = 0,
    OutsideOpeningHours = 1,
    CustomRange = 2,
}

public enum KeywordActivity
{
    Always = 0,
    WhenOpen = 1,
    WhenClosed = 2,
}

public enum Recipients
{
    Everyone = 0,
    NewContacts = 1,
    /// <summary>Everyone except chats that carry one of <see cref="AutoReplySettings.RecipientLabels"/>.</summary>
    ExceptLabels = 2,
    /// <summary>Only chats that carry one of <see cref="AutoReplySettings.RecipientLabels"/>.</summary>
    OnlyLabels = 3,
}

public sealed record AwayMessage(bool Enabled, string Text, AwaySchedule Schedule, DateTimeOffset? RangeStart = null, DateTimeOffset? RangeEnd = null);

public sealed record GreetingMessage(bool Enabled, string Text, int SilenceDays = 14);

public sealed record KeywordRule(int Id, IReadOnlyList<string> Keywords, string Reply, KeywordActivity Activity = KeywordActivity.Always);

public sealed record AutoReplySettings(
    AwayMessage Away,
    GreetingMessage Greeting,
    IReadOnlyList<KeywordRule> KeywordRules,
    Recipients Recipients = Recipients.Everyone,
    int StaffQuietMinutes = 10,
    IReadOnlyList<int>? RecipientLabels = null)
{
    public static readonly AutoReplySettings Off = new(
        new AwayMessage(false, "", AwaySchedule.OutsideOpeningHours),
        new GreetingMessage(false, ""),
        []);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool AnyEnabled => Away.Enabled || Greeting.Enabled || KeywordRules.Count > 0;
}

/// <summary>What is known about the contact and chat when a customer message arrives (before it is counted).</summary>
public sealed record InboundFacts(
    DateTimeOffset ReceivedAt,
    string Text,
    bool ContactBlocked,
    DateTimeOffset? PreviousCustomerMessageAt,
    DateTimeOffset? LastStaffReplyAt,
    DateTimeOffset? LastAwaySentAt,
    string? LastAwayPeriod,
    IReadOnlyCollection<int>? ChatLabels = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool FirstMessageEver => PreviousCustomerMessageAt is null;
}

public enum AutoReplyKind
{
    Greeting = 0,
    Away = 1,
    Keyword = 2,
}

/// <summary>A reply to send; <see cref="AwayPeriod"/> identifies the closed period an away message was sent for.</summary>
public sealed record PlannedReply(AutoReplyKind Kind, string Template, string? AwayPeriod = null, int? KeywordRuleId = null);

/// <summary>
/// Decides which automatic replies one customer message earns. Pure: the caller supplies the facts and
/// the business clock. At most two replies: the greeting first, then a keyword reply or the away message.
/// </summary>
public static class AutoReplyRules
{
    /// <summary>A reply's text as the customer gets it: the placeholders filled in, trimmed, cut to the longest message allowed; empty for none.</summary>
    public static string Text(PlannedReply reply, IReadOnlyDictionary<string, string?> values)
    {
        var text = Placeholders.Render(reply.Template, values).Trim();
        return Inbox.MessageText.CodePoints(text) > Inbox.MessageText.MaxLength
            ? string.Concat(text.EnumerateRunes().Take(Inbox.MessageText.MaxLength))
            : text;
    }

    public static IReadOnlyList<PlannedReply> Decide(AutoReplySettings settings, BusinessClock clock, InboundFacts facts)
    {
        if (facts.ContactBlocked)
        {
            return [];
        }
        if (facts.LastStaffReplyAt is { } replied && facts.ReceivedAt - replied < TimeSpan.FromMinutes(settings.StaffQuietMinutes))
        {
            return [];
        }
        if (settings.Recipients == Recipients.NewContacts && !facts.FirstMessageEver)
        {
            return [];
        }
        var labelled = (facts.ChatLabels ?? []).Intersect(settings.RecipientLabels ?? []).Any();
        if ((settings.Recipients == Recipients.ExceptLabels && labelled) || (settings.Recipients == Recipients.OnlyLabels && !labelled))
        {
            return [];
        }

        var replies = new List<PlannedReply>(2);
        var greeting = settings.Greeting;
        if (greeting.Enabled && (facts.FirstMessageEver || facts.ReceivedAt - facts.PreviousCustomerMessageAt >= TimeSpan.FromDays(greeting.SilenceDays)))
        {
            replies.Add(new PlannedReply(AutoReplyKind.Greeting, greeting.Text));
        }

        var open = clock.IsOpen(facts.ReceivedAt);
        var rule = settings.KeywordRules.FirstOrDefault(r =>
            (r.Activity == KeywordActivity.Always || (r.Activity == KeywordActivity.WhenOpen) == open)
            && r.Keywords.Any(k => ContainsKeyword(facts.Text, k)));
        if (rule is not null)
        {
            replies.Add(new PlannedReply(AutoReplyKind.Keyword, rule.Reply, KeywordRuleId: rule.Id));
        }
        else if (AwayPeriod(settings.Away, clock, facts) is { } period)
        {
            replies.Add(new PlannedReply(AutoReplyKind.Away, settings.Away.Text, AwayPeriod: period));
        }
        return replies;
    }

    /// <summary>The away period this message falls in, when an away message is due for it (not yet sent in that period).</summary>
    private static string? AwayPeriod(AwayMessage away, BusinessClock clock, InboundFacts facts)
    {
        if (!away.Enabled)
        {
            return null;
        }
        var at = facts.ReceivedAt;
        switch (away.Schedule)
        {
            case AwaySchedule.Always:
                // Once until staff answer or a day passes.
                var due = facts.LastAwaySentAt is not { } sent
                          || at - sent >= TimeSpan.FromHours(24)
                          || facts.LastStaffReplyAt > sent;
                return due ? "always:" + at.UtcTicks.ToString(CultureInfo.InvariantCulture) : null;
            case AwaySchedule.CustomRange:
                if (away.RangeStart is not { } start || away.RangeEnd is not { } end || at < start || at >= end)
                {
                    return null;
                }
                var range = "range:" + start.UtcTicks.ToString(CultureInfo.InvariantCulture);
                return facts.LastAwayPeriod == range ? null : range;
            default:
                if (clock.IsOpen(at))
                {
                    return null;
                }
                // A closed period is named by the instant it ends (the next opening), which is the same for every message in it.
                var opens = clock.StateAt(at).ChangesAt;
                var closed = "closed:" + (opens?.UtcTicks.ToString(CultureInfo.InvariantCulture) ?? "indefinitely");
                return facts.LastAwayPeriod == closed ? null : closed;
        }
    }

    /// <summary>
    /// Whole-word, case-insensitive match. Scripts written without spaces between words (Chinese,
    /// Japanese) have no word boundaries to check, so there a keyword matches wherever it appears.
    /// </summary>
    public static bool ContainsKeyword(string text, string keyword)
    {
        var k = keyword.Trim();
        if (k.Length == 0)
        {
            return false;
        }
        if (k.Any(IsUnspacedScript))
        {
            return text.Contains(k, StringComparison.OrdinalIgnoreCase);
        }
        var pattern = @"(?<![\p{L}\p{N}])" + Regex.Escape(k) + @"(?![\p{L}\p{N}])";
        return Regex.IsMatch(text, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }

    private static bool IsUnspacedScript(char c) =>
        c is (>= '\u3040' and <= '\u30FF') // Hiragana, Katakana
            or (>= '\u3400' and <= '\u4DBF') // CJK extension A
            or (>= '\u4E00' and <= '\u9FFF') // CJK unified ideographs
            or (>= '\uF900' and <= '\uFAFF') // CJK compatibility
            or (>= '\u0E00' and <= '\u0E7F'); // Thai
}
