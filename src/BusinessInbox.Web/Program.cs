using BusinessInbox.Api;
using BusinessInbox.Attachments;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Cli;
using BusinessInbox.Contacts;
using BusinessInbox.Data;
using BusinessInbox.Hosting;
using BusinessInbox.Inbox;
using BusinessInbox.Profile;
using BusinessInbox.QuickReplies;
using BusinessInbox.Security;
using BusinessInbox.Setup;
using BusinessInbox.Staff;
using BusinessInbox.Stats;

var builder = WebApplication.CreateBuilder(args);

builder.AddInboxHosting();
builder.AddInboxData();
builder.AddInboxSecurity();
builder.AddInbox();
builder.AddWhatsApp();
builder.AddBusinessSetup();
builder.AddStaff();
builder.AddContacts();
builder.AddAttachments();
builder.AddStats();

var app = builder.Build();

if (CommandLine.IsCommand(args))
{
    return await CommandLine.RunAsync(app, args);
}

await app.Services.MigrateInboxDbAsync();

app.UseInboxHosting();
app.MapInbox();
app.MapWhatsApp();
app.MapInboxApi();
app.MapBusinessProfile();
app.MapAttachments();
app.MapQuickReplyFiles();
app.MapStats();

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
