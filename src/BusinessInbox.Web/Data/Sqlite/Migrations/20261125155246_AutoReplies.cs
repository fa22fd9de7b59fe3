using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BusinessInbox.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AutoReplies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LastAwayPeriod",
                table: "Chats",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastAwaySentAt",
                table: "Chats",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastStaffReplyAt",
                table: "Chats",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AutoReplies",
                table: "Businesses",
                type: "TEXT",
                nullable: false,
                defaultValue: "{\"away\":{\"enabled\":false,\"text\":\"\",\"schedule\":\"OutsideOpeningHours\"},\"greeting\":{\"enabled\":false,\"text\":\"\",\"silenceDays\":14},\"keywordRules\":[],\"recipients\":\"Everyone\",\"staffQuietMinutes\":10}");

            migrationBuilder.AddColumn<string>(
                name: "Hours",
                table: "Businesses",
                type: "TEXT",
                nullable: false,
                defaultValue: "{\"mode\":\"AlwaysOpen\",\"week\":{},\"overrides\":[]}");

            migrationBuilder.CreateTable(
                name: "AutoReplyJobs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BusinessId = table.Column<int>(type: "INTEGER", nullable: false),
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AutoReplyJobs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AutoReplyJobs_Messages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "Messages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AutoReplyJobs_MessageId",
                table: "AutoReplyJobs",
                column: "MessageId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AutoReplyJobs");

            migrationBuilder.DropColumn(
                name: "LastAwayPeriod",
                table: "Chats");

            migrationBuilder.DropColumn(
                name: "LastAwaySentAt",
                table: "Chats");

            migrationBuilder.DropColumn(
                name: "LastStaffReplyAt",
                table: "Chats");

            migrationBuilder.DropColumn(
                name: "AutoReplies",
                table: "Businesses");

            migrationBuilder.DropColumn(
                name: "Hours",
                table: "Businesses");
        }
    }
}
