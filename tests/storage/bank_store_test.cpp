// The SQLite store: pragmas, migrations, the group-commit writer and readers.
#include "storage/bank/sql/store.hpp"

#include <doctest/doctest.h>

#include <SQLiteCpp/Statement.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <latch>

#include "storage/bank/sql/schema.hpp"
#include "tests/support/vectors.hpp"

namespace {

namespace net = boost::asio;
using hodi::storage::BankError;
using hodi::storage::DbFn;
using hodi::storage::Store;
using hodi::storage::StoreSettings;
using Result = boost::system::result<std::int64_t>;

std::unique_ptr<Store> open_store(const hodi::test::TempDir& dir) {
    auto store = Store::open(StoreSettings{dir.path() / "var" / "hodi.db"});
    REQUIRE(store.has_value());
    return std::move(*store);
}

// Inserts a row in a scratch table; fails (rolling back) when asked to.
Result insert_note(hodi::storage::Connection& db, std::int64_t value, bool fail) {
    db.exec("CREATE TABLE IF NOT EXISTS notes (value INTEGER)");
    SQLite::Statement insert(db, "INSERT INTO notes (value) VALUES (?)");
    insert.bind(1, value);
    insert.exec();
    if (fail) return make_error_code(BankError::insufficient_funds);
    return value;
}

Result count_notes(hodi::storage::Connection& db) {
    return db.execAndGet("SELECT count(*) FROM notes").getInt64();
}

net::awaitable<void> write_one(Store* store, std::int64_t value, std::atomic<int>* ok) {
    const Result written = co_await store->write<std::int64_t>(
        [value](hodi::storage::Connection& db) { return insert_note(db, value, value % 10 == 0); });
    if (written.has_value() == (value % 10 != 0)) ++*ok;
}

}  // namespace

TEST_CASE("a new store creates its folder, runs in WAL with full sync and foreign keys") {
    // Goal: the durability settings DESIGN.md promises are really on. Method: open, ask SQLite.
    hodi::test::TempDir dir;
    auto store = open_store(dir);
    CHECK(std::filesystem::exists(dir.path() / "var" / "hodi.db"));
    auto pragmas = store->read_now<std::string>([](hodi::storage::Connection& db) {
        return db.execAndGet("PRAGMA journal_mode").getString() + "/" +
               db.execAndGet("PRAGMA synchronous").getString() + "/" +
               db.execAndGet("PRAGMA foreign_keys").getString() + "/" +
               db.execAndGet("PRAGMA user_version").getString();
    });
    REQUIRE(pragmas.has_value());
    CHECK(*pragmas == "wal/2/1/" + std::to_string(hodi::storage::schema_version_known()));
}

TEST_CASE("every connection of a store gets the page cache its settings ask for") {
    // Goal: database_cache reaches the writer and the readers alike; SQLite's own 2 MB would
    // leave a large bank reading most pages with a system call. Method: open with 3 MiB and
    // with the default, and ask each connection for its cache_size (negative: KiB).
    hodi::test::TempDir dir;
    const auto cache_size = [](hodi::storage::Connection& db) -> Result {
        return db.execAndGet("PRAGMA cache_size").getInt64();
    };
    {
        auto store = Store::open(StoreSettings{.path = dir.path() / "small.db",
                                               .page_cache_bytes = 3 * 1024 * 1024});
        REQUIRE(store.has_value());
        CHECK((*store)->read_now<std::int64_t>(cache_size) == Result(-3072));
        CHECK((*store)->write_now<std::int64_t>(cache_size) == Result(-3072));
    }
    auto store = open_store(dir);
    CHECK(store->read_now<std::int64_t>(cache_size) == Result(-64 * 1024));
    CHECK(store->write_now<std::int64_t>(cache_size) == Result(-64 * 1024));
}

TEST_CASE("every connection of a store applies the score rules its settings give") {
    // Goal: loans.score_repaid_days_min reaches the writer (scores recomputed as money moves)
    // and the readers (the score screen). Method: open with 3 days, ask each connection.
    hodi::test::TempDir dir;
    const auto repaid_days_min = [](hodi::storage::Connection& db) -> Result {
        return db.score_rules.repaid_days_min;
    };
    auto store = Store::open(StoreSettings{.path = dir.path() / "hodi.db",
                                           .score_rules = {.repaid_days_min = 3}});
    REQUIRE(store.has_value());
    CHECK((*store)->read_now<std::int64_t>(repaid_days_min) == Result(3));
    CHECK((*store)->write_now<std::int64_t>(repaid_days_min) == Result(3));
}

TEST_CASE("a database from a newer hodi is refused") {
    // Goal: an old binary never writes a schema it does not know. Method: bump user_version.
    hodi::test::TempDir dir;
    open_store(dir).reset();
    {
        SQLite::Database db((dir.path() / "var" / "hodi.db").string(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA user_version = 999");
    }
    auto reopened = Store::open(StoreSettings{dir.path() / "var" / "hodi.db"});
    REQUIRE_FALSE(reopened.has_value());
    CHECK(reopened.error() == BankError::schema_too_new);
}

TEST_CASE("reopening a migrated database keeps its data and version") {
    // Goal: migrations run once. Method: write, close, reopen, read.
    hodi::test::TempDir dir;
    CHECK(open_store(dir)->write_now<std::int64_t>([](hodi::storage::Connection& db) {
        return insert_note(db, 7, false);
    }) == Result(7));
    auto store = open_store(dir);
    CHECK(store->read_now<std::int64_t>(count_notes) == Result(1));
}

TEST_CASE("a failing write job rolls back alone inside a shared commit") {
    // Goal: group commit isolates jobs. Method: 200 concurrent writes from coroutines, every
    // tenth fails after inserting; only the others' rows remain, in fewer commits than jobs.
    hodi::test::TempDir dir;
    auto store = open_store(dir);
    net::io_context io;
    std::atomic<int> ok{0};
    constexpr int jobs = 200;
    for (int value = 1; value <= jobs; ++value) {
        net::co_spawn(io, write_one(store.get(), value, &ok), net::detached);
    }
    io.run();
    CHECK(ok.load() == jobs);
    CHECK(store->read_now<std::int64_t>(count_notes) == Result(jobs - jobs / 10));
    CHECK(store->writer_stats().jobs == jobs);
    CHECK(store->writer_stats().batches < jobs);
}

TEST_CASE("a job that throws is reported as a store failure and writes nothing") {
    // Goal: SQLiteCpp exceptions become values. Method: a job running invalid SQL.
    hodi::test::TempDir dir;
    auto store = open_store(dir);
    auto failed = store->write_now<std::int64_t>([](hodi::storage::Connection& db) -> Result {
        insert_note(db, 1, false);
        db.exec("INSERT INTO no_such_table VALUES (1)");
        return 1;
    });
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error() == BankError::store_failed);
    CHECK(store->read_now<std::int64_t>([](hodi::storage::Connection& db) -> Result {
        return db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'notes'")
            .getInt64();
    }) == Result(0));
    CHECK(store
              ->read_now<std::int64_t>([](hodi::storage::Connection& db) -> Result {
                  db.exec("SELECT * FROM no_such_table");
                  return 0;
              })
              .error() == BankError::store_failed);
}
