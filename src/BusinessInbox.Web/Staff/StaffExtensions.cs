namespace BusinessInbox.Staff;

public static class StaffExtensions
{
    /// <summary>Staff management, the header's account menu, and e-mail to staff when <c>Smtp:*</c> is configured.</summary>
    public static WebApplicationBuilder AddStaff(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IMailSender, SmtpMailSender>();
        builder.Services.AddScoped<StaffMembers>();
        builder.Services.AddScoped<AccountMenu>();
        return builder;
    }
}
