// The statement cache: one prepared statement per SQL text, handed back clean after every use.
#include "storage/bank/sql/connection.hpp"

#include <doctest/doctest.h>

#include <optional>

namespace {

using hodi::storage::Connection;
using hodi::storage::Prepared;

struct Table {
    Connection db{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};

    Table() { db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE, tag TEXT)"); }

    void insert(int id, const std::string& body, std::optional<std::string> tag) {
        Prepared statement(db, "INSERT INTO notes (id, body, tag) VALUES (?, ?, ?)");
        statement.bind(1, id);
        statement.bind(2, body);
        if (tag) statement.bind(3, *tag);  // left unbound: NULL, never the previous tag
        statement.exec();
    }

    std::optional<std::string> tag_of(int id) {
        Prepared query(db, "SELECT tag FROM notes WHERE id = ?");
        query.bind(1, id);
        REQUIRE(query.executeStep());
        if (query.getColumn(0).isNull()) return std::nullopt;
        return query.getColumn(0).getString();
    }
};

}  // namespace

TEST_CASE("a statement is prepared once per SQL text and reused") {
    Table table;
    table.insert(1, "first", "a");
    table.insert(2, "second", "b");
    CHECK(table.db.cached_statements() == 1);
    CHECK(table.tag_of(1) == "a");
    CHECK(table.tag_of(2) == "b");
    CHECK(table.db.cached_statements() == 2);
}

TEST_CASE("a reused statement starts with no bindings") {
    Table table;
    table.insert(1, "tagged", "a");
    table.insert(2, "untagged", std::nullopt);
    CHECK(table.tag_of(1) == "a");
    CHECK_FALSE(table.tag_of(2).has_value());
}

TEST_CASE("the same SQL borrowed twice at once gets a private statement for the second") {
    Table table;
    table.insert(1, "one", "x");
    table.insert(2, "two", "y");
    Prepared outer(table.db, "SELECT id FROM notes ORDER BY id");
    int rows = 0;
    while (outer.executeStep()) {
        // The outer statement is mid-iteration; the inner one must not reset it.
        Prepared inner(table.db, "SELECT id FROM notes ORDER BY id");
        REQUIRE(inner.executeStep());
        CHECK(inner.getColumn(0).getInt() == 1);
        ++rows;
    }
    CHECK(rows == 2);
    CHECK(table.db.cached_statements() == 2);  // the insert and the select
}

TEST_CASE("a statement whose step failed is reusable") {
    Table table;
    table.insert(1, "taken", "a");
    CHECK_THROWS_AS(table.insert(2, "taken", "b"), SQLite::Exception);  // body is UNIQUE
    table.insert(3, "free", "c");
    CHECK(table.tag_of(3) == "c");
}

TEST_CASE("a statement left mid-iteration is reset when its borrower ends") {
    Table table;
    table.insert(1, "one", "x");
    table.insert(2, "two", "y");
    {
        Prepared query(table.db, "SELECT id FROM notes ORDER BY id");
        REQUIRE(query.executeStep());
        CHECK(query.getColumn(0).getInt() == 1);
    }
    Prepared again(table.db, "SELECT id FROM notes ORDER BY id");
    REQUIRE(again.executeStep());
    CHECK(again.getColumn(0).getInt() == 1);  // from the first row, not the second
}
