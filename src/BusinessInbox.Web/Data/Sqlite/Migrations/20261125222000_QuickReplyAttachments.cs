using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BusinessInbox.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class QuickReplyAttachments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "QuickReplyAttachments",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    QuickReplyId = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Width = table.Column<int>(type: "INTEGER", nullable: true),
                    Height = table.Column<int>(type: "INTEGER", nullable: true),
                    StorageKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ThumbnailKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuickReplyAttachments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QuickReplyAttachments_Businesses_BusinessId",
                        column: x => x.BusinessId,
                        principalTable: "Businesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_QuickReplyAttachments_QuickReplies_QuickReplyId",
                        column: x => x.QuickReplyId,
                        principalTable: "QuickReplies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_QuickReplyAttachments_BusinessId",
                table: "QuickReplyAttachments",
                column: "BusinessId");

            migrationBuilder.CreateIndex(
                name: "IX_QuickReplyAttachments_QuickReplyId",
                table: "QuickReplyAttachments",
                column: "QuickReplyId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "QuickReplyAttachments");
        }
    }
}
