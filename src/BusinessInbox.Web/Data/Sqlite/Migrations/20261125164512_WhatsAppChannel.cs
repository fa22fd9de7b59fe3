using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BusinessInbox.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class WhatsAppChannel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Billable",
                table: "Messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PricingCategory",
                table: "Messages",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "PendingStatuses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    ExternalId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    FailureReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    PricingCategory = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Billable = table.Column<bool>(type: "INTEGER", nullable: true),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PendingStatuses", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WebhookQuarantine",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: true),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WebhookQuarantine", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WebhookQuarantine_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "WhatsAppChannels",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    PhoneNumberId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    WabaId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    AccessTokenProtected = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    AccessTokenHint = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    AppSecretProtected = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    VerifyToken = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    StatusReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    StatusChangedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SendReadReceipts = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WhatsAppChannels", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WhatsAppChannels_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PendingStatuses_ExternalId",
                table: "PendingStatuses",
                column: "ExternalId");

            migrationBuilder.CreateIndex(
                name: "IX_PendingStatuses_ReceivedAt",
                table: "PendingStatuses",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_WebhookQuarantine_BusinessId_Id",
                table: "WebhookQuarantine",
                columns: new[] { "BusinessId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_WhatsAppChannels_BusinessId",
                table: "WhatsAppChannels",
                column: "BusinessId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_WhatsAppChannels_PhoneNumberId",
                table: "WhatsAppChannels",
                column: "PhoneNumberId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PendingStatuses");

            migrationBuilder.DropTable(
                name: "WebhookQuarantine");

            migrationBuilder.DropTable(
                name: "WhatsAppChannels");

            migrationBuilder.DropColumn(
                name: "Billable",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "PricingCategory",
                table: "Messages");
        }
    }
}
