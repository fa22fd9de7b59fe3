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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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
        }
    }
}
