using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BusinessInbox.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class EpisodeTimesStored : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_EpisodeStat_BusinessId_ResolvedAt",
                table: "EpisodeStat");

            migrationBuilder.DropIndex(
                name: "IX_EpisodeStat_BusinessId_StartedAt",
                table: "EpisodeStat");

            migrationBuilder.AddColumn<long>(
                name: "FirstResponseOpenSeconds",
                table: "EpisodeStat",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "FirstResponseSeconds",
                table: "EpisodeStat",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ResolutionOpenSeconds",
                table: "EpisodeStat",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ResolutionSeconds",
                table: "EpisodeStat",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_EpisodeStat_BusinessId_ResolvedAt",
                table: "EpisodeStat",
                columns: new[] { "BusinessId", "ResolvedAt", "ResolutionSeconds", "ResolutionOpenSeconds", "ResolvedById", "ChatId" });

            migrationBuilder.CreateIndex(
                name: "IX_EpisodeStat_BusinessId_StartedAt",
                table: "EpisodeStat",
                columns: new[] { "BusinessId", "StartedAt", "Reopened", "FirstResponseSeconds", "FirstResponseOpenSeconds", "FirstResponderId", "ChatId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_EpisodeStat_BusinessId_ResolvedAt",
                table: "EpisodeStat");

            migrationBuilder.DropIndex(
                name: "IX_EpisodeStat_BusinessId_StartedAt",
                table: "EpisodeStat");

            migrationBuilder.DropColumn(
                name: "FirstResponseOpenSeconds",
                table: "EpisodeStat");

            migrationBuilder.DropColumn(
                name: "FirstResponseSeconds",
                table: "EpisodeStat");

            migrationBuilder.DropColumn(
                name: "ResolutionOpenSeconds",
                table: "EpisodeStat");

            migrationBuilder.DropColumn(
                name: "ResolutionSeconds",
                table: "EpisodeStat");

            migrationBuilder.CreateIndex(
                name: "IX_EpisodeStat_BusinessId_ResolvedAt",
                table: "EpisodeStat",
                columns: new[] { "BusinessId", "ResolvedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_EpisodeStat_BusinessId_StartedAt",
                table: "EpisodeStat",
                columns: new[] { "BusinessId", "StartedAt" });
        }
    }
}
