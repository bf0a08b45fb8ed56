// The audit log: hash chain, append-only triggers, and tamper detection at the right event.
#include "storage/bank/money/audit.hpp"

#include <doctest/doctest.h>

#include "storage/bank/sql/schema.hpp"
#include "storage/bank/money/users.hpp"

namespace {

using namespace hodi::storage;
using namespace std::chrono_literals;

const Seconds start{std::chrono::seconds{1'800'000'000}};
const std::string phone = "+254712345678";

struct Log {
    std::unique_ptr<Connection> db = open_connection(":memory:").value();

    Log() { REQUIRE(migrate(*db).has_value()); }

    void append(std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            REQUIRE(append_audit(*db,
                                 {"subscriber", "pin.register", phone,
                                  "event " + std::to_string(i)},
                                 start + std::chrono::seconds{i})
                        .has_value());
        }
    }
    AuditCheck check() { return verify_audit(*db).value(); }
    // A test copy with the guards removed, as an attacker with the file would do.
    void drop_triggers() {
        db->exec("DROP TRIGGER audit_append_only_update");
        db->exec("DROP TRIGGER audit_append_only_delete");
    }
};

}  // namespace

TEST_CASE("the audit hash is SHA-256 over the previous hash and netstring fields") {
    // Goal: the encoding is fixed and unambiguous. Method: a value computed independently
    // (Python hashlib over the same bytes), and two events whose fields differ only in where
    // one ends and the next begins.
    CHECK(audit_hash(audit_genesis_hash, 1, start, {"operator", "pin.unlocked", phone, ""}) ==
          "c1713c30a02bea03c91430e0451b0aae5bdfd48d31b1d006b6fa482c003214d5");
    CHECK(audit_hash(audit_genesis_hash, 1, start, {"ab", "c", "", ""}) !=
          audit_hash(audit_genesis_hash, 1, start, {"a", "bc", "", ""}));
    CHECK(audit_hash(audit_genesis_hash, 1, start, {"a", "b", "", ""}) !=
          audit_hash(audit_genesis_hash, 2, start, {"a", "b", "", ""}));
}

TEST_CASE("appended events form a chain from the genesis hash that verifies") {
    // Goal: each row links to the one before. Method: append three, read the links back.
    Log log;
    CHECK(log.check().events == 0);
    CHECK_FALSE(log.check().broken.has_value());
    log.append(3);
    SQLite::Statement rows(*log.db, "SELECT seq, prev_hash, hash FROM audit ORDER BY seq");
    std::string previous(audit_genesis_hash);
    std::int64_t expected_seq = 1;
    while (rows.executeStep()) {
        CHECK(rows.getColumn(0).getInt64() == expected_seq++);
        CHECK(rows.getColumn(1).getString() == previous);
        previous = rows.getColumn(2).getString();
        CHECK(previous.size() == 64);
    }
    CHECK(expected_seq == 4);
    const AuditCheck check = log.check();
    CHECK(check.events == 3);
    CHECK_FALSE(check.broken.has_value());
    CHECK(check.reason.empty());
}

TEST_CASE("the audit table refuses updates and deletes") {
    // Goal: append-only is enforced by SQLite itself. Method: try both; the rows stay intact.
    Log log;
    log.append(2);
    CHECK_THROWS_AS(log.db->exec("UPDATE audit SET detail = 'x' WHERE seq = 1"),
                    SQLite::Exception);
    CHECK_THROWS_AS(log.db->exec("DELETE FROM audit WHERE seq = 2"), SQLite::Exception);
    CHECK(log.check().events == 2);
    CHECK_FALSE(log.check().broken.has_value());
}

TEST_CASE("an edited event breaks the chain at that event") {
    // Goal: tampering is located. Method: drop the triggers, change event 3's detail.
    Log log;
    log.append(5);
    log.drop_triggers();
    log.db->exec("UPDATE audit SET detail = 'nothing happened' WHERE seq = 3");
    const AuditCheck check = log.check();
    CHECK(check.broken == 3);
    CHECK(check.events == 3);
    CHECK(check.reason.find("hash") != std::string::npos);
}

TEST_CASE("an edited event with a recomputed hash breaks the chain at the next event") {
    // Goal: rewriting one row's hash does not hide the edit. Method: edit event 2 and store its
    // correct new hash; event 3 still names the old one.
    Log log;
    log.append(4);
    log.drop_triggers();
    SQLite::Statement prev(*log.db, "SELECT prev_hash FROM audit WHERE seq = 2");
    REQUIRE(prev.executeStep());
    const std::string forged = audit_hash(prev.getColumn(0).getString(), 2, start + 1s,
                                          {"subscriber", "pin.register", phone, "forged"});
    log.db->exec("UPDATE audit SET detail = 'forged', hash = '" + forged + "' WHERE seq = 2");
    const AuditCheck check = log.check();
    CHECK(check.broken == 3);
    CHECK(check.reason.find("prev_hash") != std::string::npos);
}

TEST_CASE("a deleted event breaks the chain where it was") {
    // Goal: removing history is detected. Method: delete event 2 of 4, and separately the first.
    Log log;
    log.append(4);
    log.drop_triggers();
    log.db->exec("DELETE FROM audit WHERE seq = 2");
    CHECK(log.check().broken == 2);
    log.db->exec("DELETE FROM audit WHERE seq = 1");
    CHECK(log.check().broken == 1);
}

TEST_CASE("an event is stored exactly as given, its time in Unix seconds") {
    // Goal: append_audit adds nothing of its own to what callers say. Method: append one event,
    // read its columns back.
    Log log;
    REQUIRE(append_audit(*log.db, {"operator", "pin.unlocked", phone, ""}, start).has_value());
    SQLite::Statement row(*log.db, "SELECT at, actor, event, subject, detail FROM audit");
    REQUIRE(row.executeStep());
    CHECK(row.getColumn(0).getInt64() == 1'800'000'000);
    CHECK(row.getColumn(1).getString() == "operator");
    CHECK(row.getColumn(2).getString() == "pin.unlocked");
    CHECK(row.getColumn(3).getString() == phone);
    CHECK(row.getColumn(4).getString().empty());
}

TEST_CASE("reaching a PIN lock stage is audited once per stage, without the PIN") {
    // Goal: locks leave a trace an operator can follow. Method: three wrong attempts lock the
    // user (one event); a fourth while locked adds nothing; the event names stage and end.
    Log log;
    const User user = ensure_user(*log.db, phone, hodi::engine::Language::en, start).value();
    for (int attempt = 0; attempt < pin_tries_per_stage + 1; ++attempt) {
        REQUIRE(record_pin_attempt(*log.db, user.id, false, start).has_value());
    }
    CHECK(log.check().events == 1);
    SQLite::Statement row(*log.db, "SELECT actor, event, subject, detail FROM audit");
    REQUIRE(row.executeStep());
    CHECK(row.getColumn(0).getString() == "system");
    CHECK(row.getColumn(1).getString() == "pin.locked");
    CHECK(row.getColumn(2).getString() == phone);
    CHECK(row.getColumn(3).getString() == "stage 1 until 1800003600");
}
