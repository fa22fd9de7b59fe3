using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace BusinessInbox.Pages;

/// <summary>One friendly page for every error status (404, 403, 429, 500 …).</summary>
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel(IStringLocalizer<ErrorModel> l) : PageModel
{
    public string Title { get; private set; } = "";
    public string Explanation { get; private set; } = "";

    public void OnGet(int? status) => Describe(status);

    public void OnPost(int? status) => Describe(status);

    private void Describe(int? status)
    {
        var code = status ?? 500;
        if (code is >= 400 and < 600)
        {
            Response.StatusCode = code;
        }
        (Title, Explanation) = code switch
        {
            404 => (l["Page not found"].Value, l["There is nothing at this address. Check the link and try again."].Value),
            403 => (l["Not allowed"].Value, l["Your role in this business does not give access to this page."].Value),
            429 => (l["Too many requests"].Value, l["Please wait a moment and try again."].Value),
            400 => (l["Bad request"].Value, l["The request could not be understood."].Value),
            _ => (l["Something went wrong"].Value, l["Please try again in a moment."].Value),
        };
    }
}
