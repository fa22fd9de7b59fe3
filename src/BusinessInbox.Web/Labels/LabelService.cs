using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Labels;

/// <summary>A label as the inbox, the pages and the API show it; <see cref="Color"/> indexes <see cref="LabelColors.Palette"/>.</summary>
public sealed record LabelView(int Id, string Name, int Color)
{
    public string Hex => LabelColors.IsValid(Color) ? LabelColors.Palette[Color].Hex : LabelColors.Palette[0].Hex;
}

/// <summary>Managing a business's labels and putting them on chats. Every operation is scoped to one business.</summary>
public sealed class LabelService(InboxDb db, WriteGate gate, InboxNotifier notifier)
{
    public const int MaxNameLength = 40;

    public static Task<List<LabelView>> ListAsync(InboxDb db, int businessId, CancellationToken ct) =>
        db.Labels.AsNoTracking().Where(l => l.BusinessId == businessId)
            .OrderBy(l => l.Name).ThenBy(l => l.Id)
            .Select(l => new LabelView(l.Id, l.Name, l.Color))
            .ToListAsync(ct);

    /// <summary>The business's labels for a new business: added to the context, saved by the caller's transaction.</summary>
    public static void AddDefaults(InboxDb db, int businessId)
    {
        foreach (var (name, color) in LabelColors.Defaults)
        {
            db.Labels.Add(new Label { BusinessId = businessId, Name = name, NormalizedName = Normalize(name), Color = color });
        }
    }

    public static string Normalize(string name) => name.Trim().ToUpperInvariant();

    /// <summary>Creates a label (<paramref name="id"/> null) or renames and recolours one; returns the problem, or null.</summary>
    public async Task<string?> SaveAsync(int businessId, int? id, string? name, int color, CancellationToken ct)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return "Give the label a name.";
        }
        if (trimmed.Length > MaxNameLength)
        {
            return $"A label name can have at most {MaxNameLength} characters.";
        }
        if (!LabelColors.IsValid(color))
        {
            return "Choose one of the colours.";
        }
        var normalized = Normalize(trimmed);
        using (await gate.EnterAsync(ct))
        {
            Label label;
            if (id is { } existing)
            {
                label = await db.Labels.SingleOrDefaultAsync(l => l.Id == existing && l.BusinessId == businessId, ct)
                        ?? throw InboxException.NotFound("The label");
            }
            else
            {
                label = new Label { BusinessId = businessId, Name = trimmed, NormalizedName = normalized };
                db.Labels.Add(label);
            }
            var taken = await db.Labels.AnyAsync(l => l.BusinessId == businessId && l.NormalizedName == normalized && l.Id != label.Id, ct);
            if (taken)
            {
                db.ChangeTracker.Clear();
                return Duplicate(trimmed);
            }
            (label.Name, label.NormalizedName, label.Color) = (trimmed, normalized, color);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The unique index is the real guard (another process, or a migration's copy of the data).
                db.ChangeTracker.Clear();
                return Duplicate(trimmed);
            }
        }
        await LabelsChangedAsync(businessId, ct);
        return null;
    }

    /// <summary>Deletes a label and takes it off every chat.</summary>
    public async Task DeleteAsync(int businessId, int id, CancellationToken ct)
    {
        using (await gate.EnterAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.ChatLabels.Where(cl => cl.LabelId == id && cl.Label.BusinessId == businessId).ExecuteDeleteAsync(ct);
            var deleted = await db.Labels.Where(l => l.Id == id && l.BusinessId == businessId).ExecuteDeleteAsync(ct);
            if (deleted == 0)
            {
                throw InboxException.NotFound("The label");
            }
            await tx.CommitAsync(ct);
        }
        await LabelsChangedAsync(businessId, ct);
    }

    /// <summary>Replaces the labels of a chat. Any id that is not a label of this business refuses the whole change.</summary>
    public async Task SetChatLabelsAsync(int businessId, int chatId, IReadOnlyCollection<int>? labelIds, CancellationToken ct)
    {
        var wanted = (labelIds ?? []).Distinct().ToHashSet();
        using (await gate.EnterAsync(ct))
        {
            if (!await db.Chats.AnyAsync(c => c.Id == chatId && c.BusinessId == businessId, ct))
            {
                throw InboxException.NotFound("The conversation");
            }
            var known = await db.Labels.CountAsync(l => l.BusinessId == businessId && wanted.Contains(l.Id), ct);
            if (known != wanted.Count)
            {
                throw InboxException.NotFound("The label");
            }
            var current = await db.ChatLabels.Where(cl => cl.ChatId == chatId).ToListAsync(ct);
            db.ChatLabels.RemoveRange(current.Where(cl => !wanted.Contains(cl.LabelId)));
            db.ChatLabels.AddRange(wanted.Where(id => current.All(cl => cl.LabelId != id)).Select(id => new ChatLabel { ChatId = chatId, LabelId = id }));
            await db.SaveChangesAsync(ct);
        }
        db.ChangeTracker.Clear();
        var summary = (await InboxQueries.FindChatAsync(db, businessId, chatId, ct))!;
        await notifier.ChatChangedAsync(businessId, summary, null);
    }

    private async Task LabelsChangedAsync(int businessId, CancellationToken ct) =>
        await notifier.LabelsChangedAsync(businessId, await ListAsync(db, businessId, ct));

    private static string Duplicate(string name) => $"There is already a label called \"{name}\" (in any letter case). Choose another name.";
}
