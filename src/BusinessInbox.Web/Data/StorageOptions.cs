using System.ComponentModel.DataAnnotations;

namespace BusinessInbox.Data;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Folder for the SQLite file, data-protection keys and uploads; relative paths are under the app's content root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataPath { get; set; } = "App_Data";
}
