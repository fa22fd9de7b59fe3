using System.Globalization;
using System.Net;
using System.Text;
using BusinessInbox.Contacts;
using BusinessInbox.Tests.Accounts;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BusinessInbox.Tests.Contacts;

public sealed class CsvTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static readonly Dictionary<string, string> NamePhoneEmailNotes = new() { ["name"] = "0", ["phone"] = "1", ["email"] = "2", ["notes"] = "3" };

    private Task<int> ContactCountAsync(int businessId) => _app.WithDbAsync(db => db.Contacts.CountAsync(c => c.BusinessId == businessId));

    [Fact]
    public async Task Importing_the_same_file_twice_updates_instead_of_duplicating()
    {
        var shop = await _app.CreateBusinessAsync("twice");
        await _app.AddContactAsync(shop.Id, "Old name", "+4930444444");
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;
        var csv = Encoding.UTF8.GetBytes(
            "Name,Mobile,E-mail,Notes\r\n" +
            "Greta,+49 30 444444,greta@example.org,VIP\r\n" +
            "\"Hans, Jr.\",0044 20 7946 0456,,\"Said \"\"hi\"\"\"\n" +
            "Ida,,ida@example.org,\n" +
            "Bad phone,12345,,\n" +
            "Greta again,+4930444444,,\n");

        var first = await client.FinishAsync(await client.StartImportAsync(csv, NamePhoneEmailNotes));
        first[^1].Should().BeEquivalentTo(new ContactPages.Progress("Done", 3, 3, 2, 1, 2, null));
        var second = await client.FinishAsync(await client.StartImportAsync(csv, NamePhoneEmailNotes));
        second[^1].Should().BeEquivalentTo(new ContactPages.Progress("Done", 3, 3, 0, 3, 2, null));

        var contacts = await _app.WithDbAsync(db => db.Contacts.Where(c => c.BusinessId == shop.Id).OrderBy(c => c.Id)
            .Select(c => new { c.Name, c.Phone, c.Email, c.Notes }).ToListAsync());
        contacts.Should().BeEquivalentTo(new[]
        {
            new { Name = (string?)"Greta", Phone = (string?)"+4930444444", Email = (string?)"greta@example.org", Notes = (string?)"VIP" },
            new { Name = (string?)"Hans, Jr.", Phone = (string?)"+442079460456", Email = (string?)null, Notes = (string?)"Said \"hi\"" },
            new { Name = (string?)"Ida", Phone = (string?)null, Email = (string?)"ida@example.org", Notes = (string?)null },
        });
        (await _app.WithDbAsync(db => db.ContactImports.AllAsync(i => i.Content == ""))).Should().BeTrue("no copy of the file stays behind");
    }

    [Fact]
    public async Task The_check_reports_each_row_left_out_and_why()
    {
        var shop = await _app.CreateBusinessAsync("report");
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;
        var upload = await client.UploadCsvAsync(Encoding.UTF8.GetBytes("name,phone,email\nA,+4930555555,\nB,not a number,\nC,,c@\nD,+49 30 555555,\n"));
        var step = upload.Headers.Location!.OriginalString;
        var preview = await client.GetStringAsync(step);
        preview.Should().Contain("not a number").And.Contain("4 rows in the file.");
        var id = step[(step.IndexOf("id=", StringComparison.Ordinal) + 3)..];

        var (_, report) = await client.SubmitAsync(step, new() { ["name"] = "0", ["phone"] = "1", ["email"] = "2" }, postTo: $"/contacts/import?id={id}&handler=Check");
        report = WebUtility.HtmlDecode(report);
        report.Should().Contain("1 rows can be imported; 3 rows will be left out.")
            .And.Contain("Row 3: “not a number” is not a phone number")
            .And.Contain("Row 4: “c@” is not an e-mail address.")
            .And.Contain("Row 5: “+49 30 555555” is already in row 2 of this file.");
        (await ContactCountAsync(shop.Id)).Should().Be(0, "checking writes nothing");
    }

    [Fact]
    public async Task A_ten_thousand_row_file_imports_with_progress_in_several_increasing_steps()
    {
        var shop = await _app.CreateBusinessAsync("big");
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;
        var csv = new StringBuilder("name,phone,email,notes\n");
        for (var i = 0; i < 10_000; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"Customer {i},+1 650 253 {i:D4},c{i}@example.org,\n");
        }

        // Every step the worker reports, as the page's progress bar would show it if it asked at that moment.
        var steps = new List<int>();
        _app.Services.GetRequiredService<ImportProgress>().Reported += (_, processed) =>
        {
            lock (steps)
            {
                steps.Add(processed);
            }
        };

        var seen = await client.FinishAsync(await client.StartImportAsync(Encoding.UTF8.GetBytes(csv.ToString()), NamePhoneEmailNotes));

        seen[^1].Should().BeEquivalentTo(new ContactPages.Progress("Done", 10_000, 10_000, 10_000, 0, 0, null));
        seen.Where(p => p.Status == "Running").Select(p => p.Processed).Should().BeInAscendingOrder("the page never sees the bar go back");
        steps.Should().BeInAscendingOrder();
        steps.Where(n => n > 0 && n < 10_000).Should().HaveCountGreaterThanOrEqualTo(3, "the bar moves while the file imports");
        (await ContactCountAsync(shop.Id)).Should().Be(10_000);
    }

    [Theory]
    [InlineData("latin1", "not UTF-8")]
    [InlineData("short-row", "Row 3 has 2 columns but the header has 3")]
    [InlineData("open-quote", "never closed")]
    public async Task A_broken_file_gets_a_clear_message_and_nothing_is_imported(string kind, string message)
    {
        var shop = await _app.CreateBusinessAsync("broken-" + kind);
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;
        var file = kind switch
        {
            // "Müller" in Latin-1: the ü is the byte 0xFC, which is not valid UTF-8.
            "latin1" => [.. Encoding.ASCII.GetBytes("name,phone\nM"), (byte)0xFC, .. Encoding.ASCII.GetBytes("ller,+4930666666\n")],
            "short-row" => Encoding.UTF8.GetBytes("name,phone,email\nA,+4930666666,a@example.org\nB,+4930666667\n"),
            _ => Encoding.UTF8.GetBytes("name,phone\n\"A,+4930666666\n"),
        };

        var response = await client.UploadCsvAsync(file);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain(message);
        (await ContactCountAsync(shop.Id)).Should().Be(0);
        (await _app.WithDbAsync(db => db.ContactImports.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task Without_a_phone_or_email_column_the_import_cannot_start()
    {
        var shop = await _app.CreateBusinessAsync("nocolumns");
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;
        var upload = await client.UploadCsvAsync(Encoding.UTF8.GetBytes("first,last\nAnna,Schmidt\n"));
        var step = upload.Headers.Location!.OriginalString;
        var id = step[(step.IndexOf("id=", StringComparison.Ordinal) + 3)..];

        var (_, html) = await client.SubmitAsync(step, new() { ["name"] = "0" }, postTo: $"/contacts/import?id={id}&handler=Check");

        html.Should().Contain("Choose the phone or the e-mail column");
        (await ContactCountAsync(shop.Id)).Should().Be(0);
    }

    [Fact]
    public async Task Exported_cells_that_a_spreadsheet_would_run_come_back_neutralised()
    {
        var shop = await _app.CreateBusinessAsync("export");
        await _app.AddContactAsync(shop.Id, "=HYPERLINK(\"http://evil.test\",\"Click\")", "+4930777777", "@home@example.org");
        await _app.AddContactAsync(shop.Id, "Plain Name", null, "plain@example.org");
        await _app.WithDbAsync(db => db.Contacts.Where(c => c.Name == "Plain Name").ExecuteUpdateAsync(s => s.SetProperty(c => c.Notes, "-1 pieces\tleft")));
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;

        var all = await client.GetStringAsync("/contacts/export");
        var rows = Csv.Parse(all.TrimStart('\uFEFF'));

        rows[0].Should().Equal("name", "phone", "email", "notes", "blocked", "labels");
        rows.Should().HaveCount(3);
        rows[1][0].Should().Be("'=HYPERLINK(\"http://evil.test\",\"Click\")");
        rows[1][1].Should().Be("'+4930777777");
        rows[2][3].Should().Be("'-1 pieces\tleft");
        rows.SelectMany(r => r).Should().OnlyContain(cell => cell.Length == 0 || "=+-@\t\r".IndexOf(cell[0], StringComparison.Ordinal) < 0);

        var filtered = Csv.Parse((await client.GetStringAsync("/contacts/export?q=plain")).TrimStart('\uFEFF'));
        filtered.Should().HaveCount(2, "the export follows the current search");
        filtered[1][0].Should().Be("Plain Name");
    }
}
