using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BusinessInbox.Data.Sqlite.Migrations
{
    /// <summary>
    /// A trigram full-text index over message text (any script, substrings of 3+ characters), kept in step with
    /// Messages by triggers so that every write path (ingest, replies, erase, merge) keeps it current. It stores
    /// only the index: the text itself stays in Messages (external content). Not part of the EF model.
    /// </summary>
    public partial class AddMessageSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE VIRTUAL TABLE MessageSearch USING fts5(Body, content='Messages', content_rowid='Id', tokenize='trigram');");
            migrationBuilder.Sql("""
                CREATE TRIGGER MessageSearch_Insert AFTER INSERT ON Messages BEGIN
                    INSERT INTO MessageSearch (rowid, Body) VALUES (new.Id, new.Body);
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER MessageSearch_Delete AFTER DELETE ON Messages BEGIN
                    INSERT INTO MessageSearch (MessageSearch, rowid, Body) VALUES ('delete', old.Id, old.Body);
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER MessageSearch_Update AFTER UPDATE OF Body ON Messages BEGIN
                    INSERT INTO MessageSearch (MessageSearch, rowid, Body) VALUES ('delete', old.Id, old.Body);
                    INSERT INTO MessageSearch (rowid, Body) VALUES (new.Id, new.Body);
                END;
                """);
            migrationBuilder.Sql("INSERT INTO MessageSearch (MessageSearch) VALUES ('rebuild');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER MessageSearch_Update;");
            migrationBuilder.Sql("DROP TRIGGER MessageSearch_Delete;");
            migrationBuilder.Sql("DROP TRIGGER MessageSearch_Insert;");
            migrationBuilder.Sql("DROP TABLE MessageSearch;");
        }
    }
}
