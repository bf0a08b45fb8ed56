// What the bank keeps private: owner-only files and folders, and the PIN pepper's check value
// that tells a wrong pepper apart before any subscriber is locked out by it.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <sys/stat.h>

#include <filesystem>

#include "storage/bank/pins/pepper_check.hpp"
#include "storage/bank/sql/private_files.hpp"
#include "storage/bank/sql/schema.hpp"
#include "storage/bank/sql/store.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 0777U;
}

}  // namespace

TEST_CASE("the bank's folders, database, WAL and shared memory are owner-only") {
    // Goal: other local users cannot read balances or PIN hashes. Method: open a store in a
    // fresh folder under a permissive umask and write once so SQLite makes -wal and -shm; then
    // loosen an existing database's modes and reopen: they are tightened again.
    const TempDir dir;
    const mode_t old_umask = ::umask(0022);
    const fs::path database = dir.path() / "var" / "deep" / "hodi.db";
    {
        auto store = storage::Store::open(storage::StoreSettings{database});
        REQUIRE(store.has_value());
        auto db = storage::open_connection(database);
        REQUIRE(db.has_value());
        (*db)->exec("CREATE TABLE scratch (x INTEGER); INSERT INTO scratch VALUES (1)");
        CHECK(mode_of(dir.path() / "var") == 0700);
        CHECK(mode_of(dir.path() / "var" / "deep") == 0700);
        CHECK(mode_of(database) == 0600);
        REQUIRE(fs::exists(database.string() + "-wal"));
        CHECK(mode_of(database.string() + "-wal") == 0600);
        CHECK(mode_of(database.string() + "-shm") == 0600);
    }
    for (const auto& file : {database.string(), database.string() + "-wal"}) {
        if (fs::exists(file)) ::chmod(file.c_str(), 0644);
    }
    auto reopened = storage::Store::open(storage::StoreSettings{database});
    REQUIRE(reopened.has_value());
    CHECK(mode_of(database) == 0600);
    ::umask(old_umask);
}

TEST_CASE("a folder that already exists keeps its mode") {
    const TempDir dir;
    const fs::path theirs = dir.path() / "theirs";
    fs::create_directory(theirs);
    ::chmod(theirs.c_str(), 0755);
    CHECK_FALSE(storage::create_private_folders(theirs / "mine"));
    CHECK(mode_of(theirs) == 0755);
    CHECK(mode_of(theirs / "mine") == 0700);
}

TEST_CASE("the pepper's check value is recorded once and tells a different pepper apart") {
    // Goal: a swapped pepper is caught at start, not by subscribers' right PINs failing.
    const TempDir dir;
    auto db = storage::open_connection(dir.path() / "hodi.db").value();
    REQUIRE(storage::migrate(*db).has_value());
    const std::string pepper(64, 'a');
    CHECK(storage::fit_pepper(*db, pepper, 100).value() == storage::PepperFit::recorded);
    CHECK(storage::fit_pepper(*db, pepper, 200).value() == storage::PepperFit::matches);
    CHECK(storage::fit_pepper(*db, std::string(64, 'b'), 300).value() ==
          storage::PepperFit::differs);
    CHECK(storage::fit_pepper(*db, pepper + "a", 300).value() == storage::PepperFit::differs);
    // The check value is a keyed hash of a fixed text: the pepper is nowhere in the file.
    SQLite::Statement stored(*db, "SELECT check_value, recorded_at FROM secret_checks");
    REQUIRE(stored.executeStep());
    CHECK(stored.getColumn(0).getString() == storage::pepper_check_value(pepper));
    CHECK(stored.getColumn(0).getString().find(pepper) == std::string::npos);
    CHECK(stored.getColumn(1).getInt64() == 100);
    CHECK_FALSE(stored.executeStep());
}

TEST_CASE("subscribers with a PIN are counted, those without are not") {
    const TempDir dir;
    auto db = storage::open_connection(dir.path() / "hodi.db").value();
    REQUIRE(storage::migrate(*db).has_value());
    CHECK(storage::users_with_pins(*db).value() == 0);
    db->exec("INSERT INTO users (phone, created_at) VALUES ('+254700000001', 1)");
    CHECK(storage::users_with_pins(*db).value() == 0);
    db->exec("INSERT INTO users (phone, pin_hash, created_at) VALUES ('+254700000002', 'h', 1)");
    CHECK(storage::users_with_pins(*db).value() == 1);
}

}  // namespace hodi::test
