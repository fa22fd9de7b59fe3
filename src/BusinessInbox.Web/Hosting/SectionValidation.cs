using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Hosting;

/// <summary>
/// Data-annotation validation whose failures name the full configuration key ("Outbox:MaxAttempts"),
/// so that a bad setting in appsettings.json or an environment variable is found at once.
/// </summary>
public sealed class SectionValidation<TOptions>(string section) : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }
        return ValidateOptionsResult.Fail(results.Select(r =>
        {
            var members = r.MemberNames.Any() ? r.MemberNames : [""];
            return string.Join("; ", members.Select(m => $"{section}:{m} is not valid: {r.ErrorMessage}"));
        }));
    }
}

public static class SectionValidationExtensions
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and validates it on start, naming bad keys.</summary>
    public static OptionsBuilder<TOptions> AddValidatedSection<TOptions>(this IServiceCollection services, string section) where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new SectionValidation<TOptions>(section));
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }
}
