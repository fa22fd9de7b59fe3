using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BusinessInbox.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class WhatsAppTemplatesAndReactions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "TimedOutAt",
                table: "Outbox",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reaction",
                table: "Messages",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SentFromPhone",
                table: "Messages",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "WhatsAppTemplates",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    Language = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Header = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Body = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: false),
                    Footer = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ParameterCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Sendable = table.Column<bool>(type: "INTEGER", nullable: false),
                    Components = table.Column<string>(type: "TEXT", nullable: false),
                    SyncedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WhatsAppTemplates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WhatsAppTemplates_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "WhatsAppTemplateSends",
                columns: table => new
                {
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    Language = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Parameters = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WhatsAppTemplateSends", x => x.MessageId);
                    table.ForeignKey(
                        name: "FK_WhatsAppTemplateSends_Messages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "Messages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WhatsAppTemplates_BusinessId_Name_Language",
                table: "WhatsAppTemplates",
                columns: new[] { "BusinessId", "Name", "Language" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WhatsAppTemplates");

            migrationBuilder.DropTable(
                name: "WhatsAppTemplateSends");

            migrationBuilder.DropColumn(
                name: "TimedOutAt",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "Reaction",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "SentFromPhone",
                table: "Messages");
        }
    }
}
