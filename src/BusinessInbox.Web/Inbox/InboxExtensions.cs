using BusinessInbox.Channels;
using BusinessInbox.Channels.WebChat;
using BusinessInbox.Hosting;
using BusinessInbox.Workers;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BusinessInbox.Inbox;

public static class InboxExtensions
{
    /// <summary>The inbox's write and read services, its hubs, the web chat channel and the outbox worker.</summary>
    public static WebApplicationBuilder AddInbox(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WriteGate>();
        services.AddSingleton<StaffConnections>();
        services.AddSingleton<InboxNotifier>();
        services.AddSingleton<InboundWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<InboundWriter>());
        services.AddSingleton<MessageSearchIndex>();
        services.AddHostedService<MessageSearchIndexer>();
        services.AddScoped<InboundMessages>();
        services.AddScoped<ChatCommands>();
        services.AddScoped<OutboundStatus>();
        services.AddScoped<Labels.LabelService>();
        services.AddScoped<QuickReplies.QuickReplyService>();

        services.AddSignalR(o =>
            {
                o.AddFilter<InboxHubErrors>();
                // A 4,096-character message of emoji is about 50 KB as escaped JSON.
                o.MaximumReceiveMessageSize = 64 * 1024;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddSingleton<InboxHubErrors>();

        services.AddSingleton<VisitorCookie>();
        services.AddSingleton<CustomerRateLimiter>();
        services.AddSingleton<IChannelSender, WebChatSender>();

        services.AddValidatedSection<OutboxOptions>(OutboxOptions.Section);
        services.AddSingleton<OutboxSignal>();
        services.AddHostedService<OutboxDispatcher>();
        return builder;
    }

    public static WebApplication MapInbox(this WebApplication app)
    {
        app.MapHub<InboxHub>("/hubs/inbox");
        app.MapHub<CustomerChatHub>("/hubs/chat").AllowAnonymous();
        return app;
    }
}
