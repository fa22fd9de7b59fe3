using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BusinessInbox.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddStats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "EpisodeStat",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    ChatId = table.Column<int>(type: "INTEGER", nullable: true),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Reopened = table.Column<bool>(type: "INTEGER", nullable: false),
                    FirstResponseAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FirstResponderId = table.Column<string>(type: "TEXT", nullable: true),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ResolvedById = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EpisodeStat", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EpisodeStat_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_EpisodeStat_Chats_ChatId",
                        column: x => x.ChatId,
                        principalTable: "Chats",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "StatsAgentDay",
                columns: table => new
                {
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    Date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    Replies = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StatsAgentDay", x => new { x.BusinessId, x.Date, x.UserId });
                    table.ForeignKey(
                        name: "FK_StatsAgentDay_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StatsHour",
                columns: table => new
                {
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    Date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Hour = table.Column<int>(type: "INTEGER", nullable: false),
                    Received = table.Column<int>(type: "INTEGER", nullable: false),
                    SentByStaff = table.Column<int>(type: "INTEGER", nullable: false),
                    SentAutomatic = table.Column<int>(type: "INTEGER", nullable: false),
                    Delivered = table.Column<int>(type: "INTEGER", nullable: false),
                    Read = table.Column<int>(type: "INTEGER", nullable: false),
                    Failed = table.Column<int>(type: "INTEGER", nullable: false),
                    NewContacts = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StatsHour", x => new { x.BusinessId, x.Date, x.Hour });
                    table.ForeignKey(
                        name: "FK_StatsHour_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StatsPricingDay",
                columns: table => new
                {
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    Date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Messages = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StatsPricingDay", x => new { x.BusinessId, x.Date, x.Category });
                    table.ForeignKey(
                        name: "FK_StatsPricingDay_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EpisodeStat_BusinessId_ResolvedAt",
                table: "EpisodeStat",
                columns: new[] { "BusinessId", "ResolvedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_EpisodeStat_BusinessId_StartedAt",
                table: "EpisodeStat",
                columns: new[] { "BusinessId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_EpisodeStat_ChatId_ResolvedAt",
                table: "EpisodeStat",
                columns: new[] { "ChatId", "ResolvedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EpisodeStat");

            migrationBuilder.DropTable(
                name: "StatsAgentDay");

            migrationBuilder.DropTable(
                name: "StatsHour");

            migrationBuilder.DropTable(
                name: "StatsPricingDay");
        }
    }
}
