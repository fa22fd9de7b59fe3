using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BusinessInbox.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Contacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "FromBlockedContact",
                table: "Messages",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "ContactImports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Content = table.Column<string>(type: "TEXT", nullable: false),
                    Mapping = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Processed = table.Column<int>(type: "INTEGER", nullable: false),
                    Created = table.Column<int>(type: "INTEGER", nullable: false),
                    Updated = table.Column<int>(type: "INTEGER", nullable: false),
                    Skipped = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ContactImports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ContactImports_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StatsTombstone",
                columns: table => new
                {
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    InboundCount = table.Column<int>(type: "INTEGER", nullable: false),
                    OutboundCount = table.Column<int>(type: "INTEGER", nullable: false),
                    AutomaticCount = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StatsTombstone", x => new { x.BusinessId, x.Day });
                    table.ForeignKey(
                        name: "FK_StatsTombstone_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_BusinessId_CreatedAt_Id",
                table: "Contacts",
                columns: new[] { "BusinessId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_BusinessId_Email",
                table: "Contacts",
                columns: new[] { "BusinessId", "Email" });

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_BusinessId_LastMessageAt_Id",
                table: "Contacts",
                columns: new[] { "BusinessId", "LastMessageAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_BusinessId_Name_Id",
                table: "Contacts",
                columns: new[] { "BusinessId", "Name", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ContactImports_BusinessId",
                table: "ContactImports",
                column: "BusinessId");

            migrationBuilder.CreateIndex(
                name: "IX_ContactImports_Status_Id",
                table: "ContactImports",
                columns: new[] { "Status", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ContactImports");

            migrationBuilder.DropTable(
                name: "StatsTombstone");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_BusinessId_CreatedAt_Id",
                table: "Contacts");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_BusinessId_Email",
                table: "Contacts");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_BusinessId_LastMessageAt_Id",
                table: "Contacts");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_BusinessId_Name_Id",
                table: "Contacts");

            migrationBuilder.DropColumn(
                name: "FromBlockedContact",
                table: "Messages");
        }
    }
}
