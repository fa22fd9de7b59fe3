using System.Text.Json;
using System.Text.RegularExpressions;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>A message template of the business account, as last synced from the Graph API.</summary>
public class WhatsAppTemplate
{
    public int Id { get; set; }
    public int BusinessId { get; set; }
    public required string Name { get; set; }
    /// <summary>The language code, such as en_US; a name exists once per language.</summary>
    public required string Language { get; set; }
    /// <summary>MARKETING, UTILITY or AUTHENTICATION.</summary>
    public required string Category { get; set; }
    /// <summary>APPROVED, PENDING, REJECTED, PAUSED or DISABLED: only approved ones can be sent.</summary>
    public required string Status { get; set; }
    public string? Header { get; set; }
    /// <summary>The body text with its numbered parameters {{1}}, {{2}}, …</summary>
    public required string Body { get; set; }
    public string? Footer { get; set; }
    public int ParameterCount { get; set; }
    /// <summary>Whether it needs nothing but its body parameters (no header media, no variable buttons), which the composer can fill in.</summary>
    public bool Sendable { get; set; }
    /// <summary>The components array as the Graph API gave it.</summary>
    public required string Components { get; set; }
    public DateTimeOffset SyncedAt { get; set; }
}

/// <summary>What to send for a message that is a template: written with the message and its outbox row.</summary>
public class WhatsAppTemplateSend
{
    public long MessageId { get; set; }
    public Message Message { get; set; } = null!;
    public int BusinessId { get; set; }
    public required string Name { get; set; }
    public required string Language { get; set; }
    public List<string> Parameters { get; set; } = [];
}

internal sealed class WhatsAppTemplateConfiguration : IEntityTypeConfiguration<WhatsAppTemplate>
{
    public void Configure(EntityTypeBuilder<WhatsAppTemplate> b)
    {
        b.Property(x => x.Name).HasMaxLength(512);
        b.Property(x => x.Language).HasMaxLength(20);
        b.Property(x => x.Category).HasMaxLength(40);
        b.Property(x => x.Status).HasMaxLength(40);
        b.Property(x => x.Header).HasMaxLength(1000);
        b.Property(x => x.Body).HasMaxLength(4096);
        b.Property(x => x.Footer).HasMaxLength(1000);
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.BusinessId, x.Name, x.Language }).IsUnique();
    }
}

internal sealed class WhatsAppTemplateSendConfiguration : IEntityTypeConfiguration<WhatsAppTemplateSend>
{
    public void Configure(EntityTypeBuilder<WhatsAppTemplateSend> b)
    {
        b.HasKey(x => x.MessageId);
        b.Property(x => x.Name).HasMaxLength(512);
        b.Property(x => x.Language).HasMaxLength(20);
        b.HasOne(x => x.Message).WithOne().HasForeignKey<WhatsAppTemplateSend>(x => x.MessageId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>What the template picker lists.</summary>
public sealed record TemplateView(int Id, string Name, string Language, string Category, string? Header, string Body, string? Footer, int ParameterCount);

/// <summary>Reads templates' components and fills in their numbered parameters.</summary>
public static partial class TemplateText
{
    public const int MaxParameterLength = 1024;

    public sealed record Parts(string? Header, string Body, string? Footer, int ParameterCount, bool Sendable);

    public static Parts Read(string componentsJson, string? parameterFormat)
    {
        string? header = null, body = null, footer = null;
        var sendable = !string.Equals(parameterFormat, "NAMED", StringComparison.OrdinalIgnoreCase);
        using var document = JsonDocument.Parse(componentsJson);
        foreach (var component in document.RootElement.EnumerateArray())
        {
            var text = WebhookPayload.Str(component, "text");
            switch (WebhookPayload.Str(component, "type")?.ToUpperInvariant())
            {
                case "HEADER":
                    // Media and location headers, or a header with a parameter, need more than the body's text.
                    sendable &= string.Equals(WebhookPayload.Str(component, "format"), "TEXT", StringComparison.OrdinalIgnoreCase) && !HasParameter(text);
                    header = text;
                    break;
                case "BODY":
                    body = text;
                    break;
                case "FOOTER":
                    footer = text;
                    break;
                case "BUTTONS":
                    sendable &= !component.GetRawText().Contains("{{", StringComparison.Ordinal);
                    break;
                default:
                    break;
            }
        }
        body ??= "";
        var numbers = Numbered().Matches(body).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        var count = numbers.Count == 0 ? 0 : numbers.Max();
        // Named parameters ({{name}}) or gaps in the numbering are not something the small form can fill.
        sendable &= numbers.Count == count && Numbered().Count(body) == AnyParameter().Count(body);
        return new Parts(header, body, footer, count, sendable);
    }

    /// <summary>The text the thread shows for a sent template: its header, body with the parameters filled in, and footer.</summary>
    public static string Render(string? header, string body, string? footer, IReadOnlyList<string> parameters)
    {
        var filled = Numbered().Replace(body, m =>
        {
            var i = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1;
            return i < parameters.Count ? parameters[i] : m.Value;
        });
        return string.Join("\n\n", new[] { header, filled, footer }.Where(p => !string.IsNullOrWhiteSpace(p)));
    }

    /// <summary>An error a person understands, or null when the values can be sent (WhatsApp refuses line breaks and tabs in them).</summary>
    public static string? Check(IReadOnlyList<string> parameters, int expected)
    {
        if (parameters.Count != expected)
        {
            return $"This template needs {expected} values.";
        }
        for (var i = 0; i < parameters.Count; i++)
        {
            var value = parameters[i];
            if (string.IsNullOrWhiteSpace(value))
            {
                return $"Fill in value {{{{{i + 1}}}}}.";
            }
            if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\t', StringComparison.Ordinal) || value.Contains("    ", StringComparison.Ordinal))
            {
                return $"Value {{{{{i + 1}}}}} cannot contain line breaks, tabs or more than three spaces in a row.";
            }
            if (value.Length > MaxParameterLength)
            {
                return $"Value {{{{{i + 1}}}}} is too long.";
            }
        }
        return null;
    }

    private static bool HasParameter(string? text) => text is not null && AnyParameter().IsMatch(text);

    [GeneratedRegex(@"\{\{(\d{1,3})\}\}", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Numbered();

    [GeneratedRegex(@"\{\{[^{}]*\}\}", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AnyParameter();
}

/// <summary>Syncs the business account's templates from the Graph API, lists the sendable ones and sends them through the outbox.</summary>
public sealed class WhatsAppTemplates(InboxDb db, GraphApiClient graph, WhatsAppSecrets secrets, WriteGate gate, TimeProvider clock, ChatCommands commands)
{
    public const string Approved = "APPROVED";

    /// <summary>Replaces the stored templates with the account's current ones; returns how many there are.</summary>
    public async Task<int> SyncAsync(int businessId, CancellationToken ct)
    {
        var channel = await db.WhatsAppChannels.AsNoTracking().SingleOrDefaultAsync(c => c.BusinessId == businessId, ct)
            ?? throw InboxException.NotFound("The WhatsApp connection");
        var listed = await graph.ListTemplatesAsync(channel.WabaId, secrets.Unprotect(channel.AccessTokenProtected), ct);
        var now = clock.GetUtcNow();
        using (await gate.EnterAsync(ct))
        {
            var stored = await db.WhatsAppTemplates.Where(t => t.BusinessId == businessId).ToListAsync(ct);
            var seen = new HashSet<WhatsAppTemplate>();
            foreach (var t in listed.DistinctBy(t => (t.Name, t.Language)))
            {
                var parts = TemplateText.Read(t.ComponentsJson, t.ParameterFormat);
                var row = stored.FirstOrDefault(s => s.Name == t.Name && s.Language == t.Language);
                if (row is null)
                {
                    row = new WhatsAppTemplate { BusinessId = businessId, Name = t.Name, Language = t.Language, Category = "", Status = "", Body = "", Components = "" };
                    db.WhatsAppTemplates.Add(row);
                }
                seen.Add(row);
                row.Category = t.Category;
                row.Status = t.Status;
                row.Header = parts.Header;
                row.Body = parts.Body;
                row.Footer = parts.Footer;
                row.ParameterCount = parts.ParameterCount;
                row.Sendable = parts.Sendable;
                row.Components = t.ComponentsJson;
                row.SyncedAt = now;
            }
            db.WhatsAppTemplates.RemoveRange(stored.Where(s => !seen.Contains(s)));
            await db.SaveChangesAsync(ct);
        }
        db.ChangeTracker.Clear();
        return listed.Count;
    }

    /// <summary>The templates the composer offers: approved, and fillable with body values alone.</summary>
    public Task<List<TemplateView>> SendableAsync(int businessId, CancellationToken ct) =>
        db.WhatsAppTemplates.AsNoTracking()
            .Where(t => t.BusinessId == businessId && t.Status == Approved && t.Sendable)
            .OrderBy(t => t.Name).ThenBy(t => t.Language)
            .Select(t => new TemplateView(t.Id, t.Name, t.Language, t.Category, t.Header, t.Body, t.Footer, t.ParameterCount))
            .ToListAsync(ct);

    public async Task<MessageView> SendAsync(int businessId, int chatId, string? userId, int templateId, IReadOnlyList<string>? values, CancellationToken ct)
    {
        if (!await db.Chats.AnyAsync(c => c.Id == chatId && c.BusinessId == businessId, ct))
        {
            throw InboxException.NotFound("The conversation");
        }
        var template = await db.WhatsAppTemplates.AsNoTracking()
            .SingleOrDefaultAsync(t => t.Id == templateId && t.BusinessId == businessId && t.Status == Approved && t.Sendable, ct)
            ?? throw InboxException.NotFound("The template");
        var parameters = (values ?? []).Select(v => v?.Trim() ?? "").ToList();
        if (TemplateText.Check(parameters, template.ParameterCount) is { } error)
        {
            throw InboxException.Invalid(error);
        }
        var text = TemplateText.Render(template.Header, template.Body, template.Footer, parameters);
        return await commands.SendTemplateAsync(businessId, chatId, userId, text,
            new WhatsAppTemplateSend { Name = template.Name, Language = template.Language, Parameters = parameters }, ct);
    }
}
