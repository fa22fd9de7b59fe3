namespace BusinessInbox.Contacts;

public static class ContactsExtensions
{
    /// <summary>The contacts directory: block, merge and erase, and the CSV import worker.</summary>
    public static WebApplicationBuilder AddContacts(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ContactCommands>();
        builder.Services.AddSingleton<ImportProgress>();
        builder.Services.AddSingleton<ContactImportSignal>();
        builder.Services.AddHostedService<ContactImportWorker>();
        return builder;
    }
}
