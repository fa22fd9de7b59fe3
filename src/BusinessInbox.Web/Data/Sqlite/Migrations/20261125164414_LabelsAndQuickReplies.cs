using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BusinessInbox.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class LabelsAndQuickReplies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Labels",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    NormalizedName = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Color = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Labels", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Labels_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QuickReplies",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    Shortcut = table.Column<string>(type: "TEXT", maxLength: 25, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 16384, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuickReplies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QuickReplies_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ChatLabels",
                columns: table => new
                {
                    ChatId = table.Column<int>(type: "INTEGER", nullable: false),
                    LabelId = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChatLabels", x => new { x.ChatId, x.LabelId });
                    table.ForeignKey(
                        name: "FK_ChatLabels_Chats_ChatId",
                        column: x => x.ChatId,
                        principalTable: "Chats",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ChatLabels_Labels_LabelId",
                        column: x => x.LabelId,
                        principalTable: "Labels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChatLabels_LabelId",
                table: "ChatLabels",
                column: "LabelId");

            migrationBuilder.CreateIndex(
                name: "IX_Labels_BusinessId_NormalizedName",
                table: "Labels",
                columns: new[] { "BusinessId", "NormalizedName" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QuickReplies_BusinessId_Shortcut",
                table: "QuickReplies",
                columns: new[] { "BusinessId", "Shortcut" },
                unique: true);

            // Businesses created before labels existed get the five defaults a new business gets (LabelColors.Defaults, as of this migration).
            migrationBuilder.Sql("""
                INSERT INTO Labels (BusinessId, Name, NormalizedName, Color)
                SELECT b.Id, d.Name, upper(d.Name), d.Color FROM Businesses b
                CROSS JOIN (SELECT 'New customer' AS Name, 0 AS Color UNION ALL SELECT 'New order', 1 UNION ALL SELECT 'Pending payment', 10
                            UNION ALL SELECT 'Paid', 3 UNION ALL SELECT 'Order complete', 4) d;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChatLabels");

            migrationBuilder.DropTable(
                name: "QuickReplies");

            migrationBuilder.DropTable(
                name: "Labels");
        }
    }
}
