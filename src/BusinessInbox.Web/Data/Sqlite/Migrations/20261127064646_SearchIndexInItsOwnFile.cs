using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BusinessInbox.Data.Sqlite.Migrations
{
    /// <summary>
    /// The search index leaves the inbox database for a file of its own (see Inbox/MessageSearchIndex.cs), which a
    /// background pass fills from Messages. What the pass cannot see by reading new rows, a message deleted or edited, is
    /// noted by triggers in MessageSearchChanges (AUTOINCREMENT, so that an id is never given twice). Not part of the EF
    /// model: a later migration that rebuilds Messages must create the two triggers again. The new index is built from all
    /// messages after the upgrade, while the app runs.
    /// </summary>
    public partial class SearchIndexInItsOwnFile : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER MessageSearch_Update;");
            migrationBuilder.Sql("DROP TRIGGER MessageSearch_Delete;");
            migrationBuilder.Sql("DROP TRIGGER MessageSearch_Insert;");
            migrationBuilder.Sql("DROP TABLE MessageSearch;");
            migrationBuilder.Sql("CREATE TABLE MessageSearchChanges (Id INTEGER PRIMARY KEY AUTOINCREMENT, MessageId INTEGER NOT NULL);");
            migrationBuilder.Sql("""
                CREATE TRIGGER MessageSearchChanges_Delete AFTER DELETE ON Messages BEGIN
                    INSERT INTO MessageSearchChanges (MessageId) VALUES (old.Id);
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER MessageSearchChanges_Update AFTER UPDATE OF Body ON Messages BEGIN
                    INSERT INTO MessageSearchChanges (MessageId) VALUES (new.Id);
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER MessageSearchChanges_Update;");
            migrationBuilder.Sql("DROP TRIGGER MessageSearchChanges_Delete;");
            migrationBuilder.Sql("DROP TABLE MessageSearchChanges;");
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
    }
}
