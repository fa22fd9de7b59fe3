using BusinessInbox.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Channels.WhatsApp;

public static class WhatsAppExtensions
{
    /// <summary>The WhatsApp Cloud API channel: options, the Graph API client, the sender and the webhook's services.</summary>
    public static WebApplicationBuilder AddWhatsApp(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedSection<WhatsAppOptions>(WhatsAppOptions.Section);
        services.AddHttpClient<GraphApiClient>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<WhatsAppOptions>>().Value;
            http.BaseAddress = new Uri(options.GraphApiBaseUrl.TrimEnd('/') + "/");
            http.Timeout = options.RequestTimeout;
        })
            // The factory's request logging (a scope and two records a call, at a level the console drops) costs every send
            // and tells nothing the outbox does not log: a send that failed, and why.
            .RemoveAllLoggers();
        services.AddSingleton<WhatsAppSecrets>();
        services.AddSingleton<WhatsAppNumbers>();
        services.AddScoped<WhatsAppStatuses>();
        services.AddScoped<WebhookReceiver>();
        services.AddScoped<WhatsAppReadReceipts>();
        services.AddScoped<WhatsAppTemplates>();
        services.AddScoped<WhatsAppEchoes>();
        services.AddScoped<IChannelSender, WhatsAppSender>();
        services.AddValidatedSection<WhatsAppMediaOptions>(WhatsAppMediaOptions.Section);
        services.AddHttpClient(WhatsAppMediaWorker.HttpClientName, (sp, http) =>
            http.Timeout = sp.GetRequiredService<IOptions<WhatsAppMediaOptions>>().Value.DownloadTimeout);
        services.AddSingleton<WhatsAppMediaSignal>();
        services.AddHostedService<WhatsAppMediaWorker>();
        // Meta's deliveries reach 3 MB; the server's own limit must not be the one that refuses them.
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = Math.Max(o.Limits.MaxRequestBodySize ?? 0, WhatsAppWebhook.MaxBodyBytes));
        return builder;
    }

    public static WebApplication MapWhatsApp(this WebApplication app)
    {
        app.MapWhatsAppWebhook();
        return app;
    }
}
