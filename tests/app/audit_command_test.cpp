// The operator's commands on a bank file, run as the real binary: audit verify, check, unlock.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include "storage/bank/money/audit.hpp"
#include "storage/bank/actions/bank_action_jobs.hpp"
#include "storage/bank/money/outbox.hpp"
#include "storage/bank/money/payment_reviews.hpp"
#include "storage/bank/sql/store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
using storage::Seconds;

const Seconds start{std::chrono::seconds{1'800'000'000}};
const std::string phone = "+254712345678";
const std::string pepper = "audit-test-pepper-0123456789";

// A bank with one user whose top-up went through the outbox: three audit events.
std::string prepare_bank(const TempDir& dir) {
    const std::filesystem::path path = dir.path() / "hodi.db";
    auto store = storage::Store::open(storage::StoreSettings{path}).value();
    REQUIRE(storage::key_audit_chain(*store, pepper).has_value());
    const auto done = store->write_now<int>([](hodi::storage::Connection& db)
                                                -> boost::system::result<int> {
        storage::ensure_user(db, phone, engine::Language::en, start).value();
        storage::append_audit(db, {"subscriber", "pin.register", phone, "ok"}, start).value();
        storage::mpesa_in_job("topup:1", storage::wallet_code(phone), 50'000, "topup", start)(db)
            .value();
        const auto row =
            storage::find_outbox_for_transfer(db, storage::OutboxKind::stk_push, "topup:1");
        storage::complete_outbox(db, row.value()->id, true, "", "sandbox", start + 2s).value();
        storage::append_audit(db, {"system", "pin.locked", phone, "stage 1"}, start + 3s).value();
        return 3;
    });
    REQUIRE(done.has_value());
    return path.string();
}

// The command as an operator runs it, the bank's pepper in the environment unless told not.
CommandResult hodi(std::vector<std::string> args, bool with_pepper = true) {
    args.insert(args.begin(), HODI_BINARY);
    std::vector<std::string> env;
    if (with_pepper) env.push_back("HODI_PIN_PEPPER=" + pepper);
    return run_command(std::move(args), 30s, std::move(env));
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("hodi audit verify exits 0 on an intact chain, 1 where it was edited, 2 without a db") {
    // Goal: the operator learns of tampering, and where. Method: verify a fresh bank; edit
    // event 2 in the file with the triggers dropped; verify again; then a missing file.
    TempDir dir;
    const std::string db = prepare_bank(dir);
    CommandResult verified = hodi({"audit", "verify", "--db", db});
    CHECK(verified.exit_code == 0);
    CHECK(contains(verified.output, "audit: 3 events, chain intact"));
    {
        SQLite::Database file(db, SQLite::OPEN_READWRITE);
        file.exec("DROP TRIGGER audit_append_only_update");
        file.exec("UPDATE audit SET detail = 'phone=+254700000000 amount=5000000' WHERE seq = 2");
    }
    verified = hodi({"audit", "verify", "--db", db});
    CHECK(verified.exit_code == 1);
    CHECK(contains(verified.output, "audit: chain broken at event 2 ("));
    const CommandResult missing =
        hodi({"audit", "verify", "--db", (dir.path() / "nope.db").string()});
    CHECK(missing.exit_code == 2);
    CHECK(contains(missing.output, "no such database"));
}

TEST_CASE("a database writer cannot re-chain the audit log or cut its newest events") {
    // Goal: what once passed (edit an amount, delete events, re-chain with plain SHA-256)
    // fails, and so does dropping the newest events, which leaves a chain that still links.
    // Method: the keyed bank; each attack on a fresh copy, verified with the pepper.
    TempDir dir;
    const std::string db = prepare_bank(dir);
    CommandResult verified = hodi({"audit", "verify", "--db", db});
    CHECK(verified.exit_code == 0);
    CHECK(contains(verified.output, "3 events, chain intact, head file agrees"));
    CHECK(hodi({"audit", "verify", "--db", db}, false).exit_code == 1);  // no key: unchecked
    const std::string head = storage::audit_head_path(db).string();
    const auto copy = [&](const std::string& name) {
        const std::string target = (dir.path() / name).string();
        std::filesystem::copy_file(db, target);
        std::filesystem::copy_file(head, storage::audit_head_path(target));
        return target;
    };

    const std::string rechained = copy("rechained.db");
    {
        SQLite::Database file(rechained, SQLite::OPEN_READWRITE);
        file.exec("DROP TRIGGER audit_append_only_update");
        file.exec("DROP TRIGGER audit_append_only_delete");
        file.exec("DELETE FROM audit WHERE seq = 3");
        file.exec("UPDATE audit SET detail = 'amount=1' WHERE seq = 2");
        std::string prev(storage::audit_genesis_hash);
        SQLite::Statement rows(file, "SELECT seq, at, actor, event, subject, detail FROM audit "
                                     "ORDER BY seq");
        std::vector<std::pair<std::int64_t, std::string>> hashes;
        while (rows.executeStep()) {
            const std::int64_t seq = rows.getColumn(0).getInt64();
            const std::string hash = storage::audit_hash(
                prev, seq, Seconds{std::chrono::seconds{rows.getColumn(1).getInt64()}},
                {rows.getColumn(2).getString(), rows.getColumn(3).getString(),
                 rows.getColumn(4).getString(), rows.getColumn(5).getString()});
            hashes.emplace_back(seq, hash);
            prev = hash;
        }
        std::string last(storage::audit_genesis_hash);
        for (const auto& [seq, hash] : hashes) {
            file.exec("UPDATE audit SET keyed = 0, prev_hash = '" + last + "', hash = '" + hash +
                      "' WHERE seq = " + std::to_string(seq));
            last = hash;
        }
    }
    verified = hodi({"audit", "verify", "--db", rechained});
    CHECK(verified.exit_code == 1);
    CHECK(contains(verified.output, "newer events were removed"));

    const std::string cut = copy("cut.db");
    {
        SQLite::Database file(cut, SQLite::OPEN_READWRITE);
        file.exec("DROP TRIGGER audit_append_only_delete");
        file.exec("DELETE FROM audit WHERE seq = 3");
    }
    verified = hodi({"audit", "verify", "--db", cut});
    CHECK(verified.exit_code == 1);
    CHECK(contains(verified.output, "the head file names event 3"));
}

TEST_CASE("hodi check passes a clean bank and fails one whose balance was altered") {
    // Goal: ledger drift is caught by the command. Method: check a bank after a settled topup,
    // then add one cent to the wallet's stored balance behind the ledger's back.
    TempDir dir;
    const std::string db = prepare_bank(dir);
    CommandResult checked = hodi({"check", "--db", db});
    CHECK(checked.exit_code == 0);
    CHECK(contains(checked.output, "book ok"));
    {
        SQLite::Database file(db, SQLite::OPEN_READWRITE);
        file.exec("UPDATE accounts SET balance = balance + 1 WHERE code = 'wallet:" + phone +
                  "'");
    }
    checked = hodi({"check", "--db", db});
    CHECK(checked.exit_code == 1);
    CHECK(contains(checked.output, "book BROKEN"));
}

TEST_CASE("hodi admin unlock clears a final PIN lock and records it in the audit chain") {
    // Goal: the operator's way out of the last lock works and is audited. Method: lock the user
    // at the operator stage in the file, unlock by local number, read the row and the chain.
    TempDir dir;
    const std::string db = prepare_bank(dir);
    {
        SQLite::Database file(db, SQLite::OPEN_READWRITE);
        file.exec("UPDATE users SET failed_pins = 3, lock_stage = 3 WHERE phone = '" + phone +
                  "'");
    }
    const CommandResult unlocked = hodi({"admin", "--db", db, "unlock", "0712345678"});
    CHECK(unlocked.exit_code == 0);
    CHECK(contains(unlocked.output, "unlocked +254712345678"));
    SQLite::Database file(db, SQLite::OPEN_READONLY);
    CHECK(file.execAndGet("SELECT lock_stage + failed_pins FROM users").getInt() == 0);
    CHECK(file.execAndGet("SELECT actor || ' ' || event || ' ' || subject FROM audit "
                          "ORDER BY seq DESC LIMIT 1")
              .getString() == "operator pin.unlocked " + phone);
    const CommandResult verified = hodi({"audit", "verify", "--db", db});
    CHECK(verified.exit_code == 0);
    CHECK(contains(verified.output, "audit: 4 events, chain intact"));
    CHECK(hodi({"admin", "--db", db, "unlock", "0799999999"}).exit_code == 1);
}

TEST_CASE("hodi check lists what is open; hodi review lists and settles, audited") {
    // Goal: nothing stays unresolved silently, and an operator closes a contradiction on the
    // record. Method: a bank with a push still pending and one open review; check, list,
    // settle, list again, verify the chain.
    TempDir dir;
    const std::string db = prepare_bank(dir);
    {
        auto store = storage::Store::open(storage::StoreSettings{db}).value();
        REQUIRE(storage::key_audit_chain(*store, pepper).has_value());
        REQUIRE(store
                    ->write_now<std::int64_t>([](storage::Connection& db_) {
                        storage::mpesa_in_job("topup:2", storage::wallet_code(phone), 10'000,
                                              "topup", start)(db_)
                            .value();
                        return storage::open_review(db_, std::nullopt, std::nullopt,
                                                    "no request matches ws_CO_9", start);
                    })
                    .has_value());
    }
    const CommandResult checked = hodi({"check", "--db", db});
    CHECK(checked.exit_code == 0);  // open is not broken
    CHECK_MESSAGE(contains(checked.output, "open: 1 stk_push pending (oldest "), checked.output);
    CHECK(contains(checked.output, "open: 1 payments for review"));
    const CommandResult listed = hodi({"review", "--db", db, "list"});
    CHECK(listed.exit_code == 0);
    CHECK(contains(listed.output, "#1  opened 2027-01-15 08:00:00Z"));
    CHECK(contains(listed.output, "no request matches ws_CO_9"));
    CHECK(contains(listed.output, "1 open reviews"));
    CHECK(hodi({"review", "--db", db, "settle", "1", "--resolution", "x"}, false).exit_code ==
          2);  // no pepper: it could not be audited
    const CommandResult settled =
        hodi({"review", "--db", db, "settle", "1", "--resolution", "reversed by M-Pesa"});
    CHECK_MESSAGE(settled.exit_code == 0, settled.output);
    CHECK(contains(settled.output, "by operator: reversed by M-Pesa"));
    CHECK(contains(hodi({"review", "--db", db, "list"}).output, "0 open reviews"));
    CHECK(contains(hodi({"review", "--db", db, "list", "--all"}).output, "1 reviews"));
    CHECK(hodi({"review", "--db", db, "settle", "7", "--resolution", "x"}).exit_code == 1);
    CHECK(hodi({"audit", "verify", "--db", db}).exit_code == 0);
}

}  // namespace hodi::test
