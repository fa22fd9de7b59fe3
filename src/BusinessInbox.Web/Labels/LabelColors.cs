namespace BusinessInbox.Labels;

/// <summary>A colour of the label palette: its name is what screen readers and the colour picker say.</summary>
public sealed record LabelColor(int Index, string Name, string Hex);

/// <summary>
/// The 20 label colours, as WhatsApp Business offers 20. A label stores the index; the hex values live only
/// here and in labels.css (classes <c>bi-label-c0</c> … <c>bi-label-c19</c>), because the CSP forbids inline styles.
/// </summary>
public static class LabelColors
{
    public static readonly IReadOnlyList<LabelColor> Palette =
    [
        new(0, "Sky blue", "#53bdeb"),
        new(1, "Gold", "#ffc94d"),
        new(2, "Coral", "#ff8a65"),
        new(3, "Green", "#54c566"),
        new(4, "Teal", "#26a69a"),
        new(5, "Blue", "#3f8ae0"),
        new(6, "Indigo", "#5c6bc0"),
        new(7, "Purple", "#9c6ade"),
        new(8, "Pink", "#f06292"),
        new(9, "Red", "#e5534b"),
        new(10, "Orange", "#ffa040"),
        new(11, "Lime", "#b5cc46"),
        new(12, "Olive", "#8d9440"),
        new(13, "Turquoise", "#4dd0e1"),
        new(14, "Navy", "#34568b"),
        new(15, "Lavender", "#b39ddb"),
        new(16, "Rose", "#f48fb1"),
        new(17, "Brown", "#a1735a"),
        new(18, "Grey", "#9e9e9e"),
        new(19, "Slate", "#607d8b"),
    ];

    public static bool IsValid(int index) => index >= 0 && index < Palette.Count;

    /// <summary>The labels every new business starts with, as in WhatsApp Business; they can be renamed or deleted.</summary>
    public static readonly IReadOnlyList<(string Name, int Color)> Defaults =
    [
        ("New customer", 0),
        ("New order", 1),
        ("Pending payment", 10),
        ("Paid", 3),
        ("Order complete", 4),
    ];
}
