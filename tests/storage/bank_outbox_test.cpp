// The outbox: idempotent queueing, claiming due rows, backoff to a cap, and settling money legs.
#include "storage/bank/money/outbox.hpp"

#include <doctest/doctest.h>

#include "storage/bank/money/audit.hpp"
#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/money/book_check.hpp"
#include "storage/bank/sql/schema.hpp"
#include "storage/bank/money/settlement.hpp"
#include "storage/bank/money/users.hpp"

namespace {

using namespace hodi::storage;
using namespace std::chrono_literals;

const Seconds start{std::chrono::seconds{1'800'000'000}};
const std::string phone = "+254712345678";

// A user whose top-up of 500 shillings waits on an STK push.
struct Topup {
    std::unique_ptr<Connection> db = open_connection(":memory:").value();
    AccountId wallet = 0;
    std::int64_t row = 0;

    Topup() {
        REQUIRE(migrate(*db).has_value());
        ensure_user(*db, phone, hodi::engine::Language::en, start).value();
        wallet = find_account(*db, wallet_code(phone)).value();
        const AccountId clearing = find_account(*db, SystemAccount::mpesa_clearing).value();
        REQUIRE(create_transfer(*db, {"topup:1", clearing, wallet, 50'000, "topup", true}, start)
                    .has_value());
        row = enqueue_outbox(*db, stk("topup:1"), start).value();
    }
    static OutboxRequest stk(std::string transfer) {
        return {OutboxKind::stk_push, std::move(transfer), phone, 50'000, "hodi topup"};
    }
    Cents balance() { return load_account(*db, wallet).value().balance; }
    TransferState state() { return find_transfer(*db, "topup:1").value()->state; }
    OutboxRow outbox() { return find_outbox(*db, row).value().value(); }
    std::int64_t audit_events() { return db->execAndGet("SELECT count(*) FROM audit").getInt64(); }
    void check_books() {
        CHECK(verify_book(*db).violations.empty());
        CHECK_FALSE(verify_audit(*db).value().broken.has_value());
    }
};

}  // namespace

TEST_CASE("a second request for the same money leg returns the first row") {
    // Goal: a replayed money step asks M-Pesa once. Method: enqueue the same (kind, transfer)
    // again, then a B2C for the same transfer and two SMS without a transfer.
    Topup topup;
    CHECK(enqueue_outbox(*topup.db, Topup::stk("topup:1"), start + 5s).value() == topup.row);
    const auto b2c = enqueue_outbox(
        *topup.db, {OutboxKind::b2c, "topup:1", phone, 50'000, ""}, start).value();
    CHECK(b2c != topup.row);
    const OutboxRequest sms{OutboxKind::sms, std::nullopt, phone, std::nullopt, "Karibu"};
    CHECK(enqueue_outbox(*topup.db, sms, start).value() !=
          enqueue_outbox(*topup.db, sms, start).value());
    const OutboxCounts counts = count_outbox(*topup.db).value();
    CHECK(counts.pending == 4);
    CHECK(counts.done == 0);
    const OutboxRow row = topup.outbox();
    CHECK(row.kind == OutboxKind::stk_push);
    CHECK(row.transfer == "topup:1");
    CHECK(row.amount == 50'000);
    CHECK(row.state == OutboxState::pending);
    CHECK(row.next_attempt_at == start);
    CHECK(enqueue_outbox(*topup.db, {OutboxKind::sms, std::nullopt, phone, 0, ""}, start)
              .error() == BankError::invalid_amount);
}

TEST_CASE("claiming takes due rows oldest first, bounded, and leases them") {
    // Goal: a drainer sees each due row once per lease. Method: three rows due at different
    // times; claim with a bound of two, claim again inside and after the lease.
    Topup topup;
    const OutboxRequest sms{OutboxKind::sms, std::nullopt, phone, std::nullopt, "Habari"};
    const auto later = enqueue_outbox(*topup.db, sms, start + 10s).value();
    const auto latest = enqueue_outbox(*topup.db, sms, start + 20s).value();
    CHECK(claim_due_outbox(*topup.db, start - 1s, 10, 30s).value().empty());
    auto claimed = claim_due_outbox(*topup.db, start + 20s, 2, 30s).value();
    REQUIRE(claimed.size() == 2);
    CHECK(claimed[0].id == topup.row);
    CHECK(claimed[1].id == later);
    CHECK(claimed[0].next_attempt_at == start + 50s);
    claimed = claim_due_outbox(*topup.db, start + 21s, 10, 30s).value();
    REQUIRE(claimed.size() == 1);
    CHECK(claimed[0].id == latest);
    CHECK(claim_due_outbox(*topup.db, start + 49s, 10, 30s).value().empty());
    CHECK(claim_due_outbox(*topup.db, start + 50s, 10, 30s).value().size() == 2);
}

TEST_CASE("completing a money leg posts its transfer once and audits it") {
    // Goal: done means the money arrived, exactly once. Method: mark sent, complete twice, try
    // the opposite outcome, check balance, book and audit chain.
    Topup topup;
    const OutboxRow sent =
        mark_outbox_sent(*topup.db, topup.row, "ws_CO_1", start + 2s, start).value();
    CHECK(sent.state == OutboxState::sent);
    CHECK(sent.provider_ref == "ws_CO_1");
    CHECK(topup.balance() == 0);
    CHECK(complete_outbox(*topup.db, topup.row, true, "", "sandbox", start + 2s).value().state ==
          OutboxState::done);
    CHECK(topup.state() == TransferState::posted);
    CHECK(topup.balance() == 50'000);
    CHECK(complete_outbox(*topup.db, topup.row, true, "", "sandbox", start + 3s).has_value());
    CHECK(topup.balance() == 50'000);
    CHECK(complete_outbox(*topup.db, topup.row, false, "late", "sandbox", start + 3s).error() ==
          BankError::already_posted);
    CHECK(topup.audit_events() == 1);
    CHECK(topup.db->execAndGet("SELECT event FROM audit").getString() == "mpesa.stk_push.done");
    CHECK(topup.db->execAndGet("SELECT subject FROM audit").getString() == "topup:1");
    CHECK(claim_due_outbox(*topup.db, start + 1h, 10, 30s).value().empty());
    CHECK(count_outbox(*topup.db).value().done == 1);
    topup.check_books();
}

TEST_CASE("retries back off exponentially up to a cap") {
    // Goal: a flaky provider is not hammered. Method: the schedule, then retries on a row.
    const OutboxRetry retry{5s, 60s, 10};
    CHECK(outbox_backoff(retry, 1) == 5s);
    CHECK(outbox_backoff(retry, 2) == 10s);
    CHECK(outbox_backoff(retry, 3) == 20s);
    CHECK(outbox_backoff(retry, 4) == 40s);
    CHECK(outbox_backoff(retry, 5) == 60s);
    CHECK(outbox_backoff(retry, 60) == 60s);
    Topup topup;
    OutboxRow row = retry_outbox(*topup.db, topup.row, "timeout", retry, start).value();
    CHECK(row.attempts == 1);
    CHECK(row.state == OutboxState::pending);
    CHECK(row.next_attempt_at == start + 5s);
    CHECK(row.last_error == "timeout");
    CHECK(claim_due_outbox(*topup.db, start + 4s, 10, 30s).value().empty());
    row = retry_outbox(*topup.db, topup.row, "timeout", retry, start + 5s).value();
    CHECK(row.next_attempt_at == start + 15s);
    CHECK(topup.outbox().attempts == 2);
    CHECK(topup.state() == TransferState::pending);
}

TEST_CASE("the last allowed attempt fails the row, voids the transfer and audits it") {
    // Goal: a leg that never goes through releases its money. Method: attempts_max 3, retry
    // three times, then check row, transfer, balances, book and audit.
    Topup topup;
    const OutboxRetry retry{5s, 60s, 3};
    for (int attempt = 0; attempt < 2; ++attempt) {
        CHECK(retry_outbox(*topup.db, topup.row, "503", retry, start).value().state ==
              OutboxState::pending);
    }
    CHECK(topup.audit_events() == 0);
    const OutboxRow failed = retry_outbox(*topup.db, topup.row, "503", retry, start).value();
    CHECK(failed.state == OutboxState::failed);
    CHECK(failed.attempts == 3);
    CHECK(topup.outbox().state == OutboxState::failed);
    CHECK(topup.outbox().last_error == "503");
    CHECK(topup.state() == TransferState::voided);
    CHECK(topup.balance() == 0);
    CHECK(topup.audit_events() == 1);
    CHECK(topup.db->execAndGet("SELECT event FROM audit").getString() ==
          "mpesa.stk_push.failed");
    // Later word from the provider cannot resurrect it, and retrying it changes nothing.
    CHECK(complete_outbox(*topup.db, topup.row, true, "", "system", start).error() ==
          BankError::already_voided);
    CHECK(retry_outbox(*topup.db, topup.row, "503", retry, start).value().attempts == 3);
    CHECK(count_outbox(*topup.db).value().failed == 1);
    topup.check_books();
}

TEST_CASE("settling a transfer twice the same way changes nothing; the other way is refused") {
    // Goal: settle_transfer is the idempotent door for callbacks. Method: post, repeat, void;
    // then the mirror on a second transfer; an unknown id.
    Topup topup;
    CHECK(settle_transfer(*topup.db, "topup:1", true, start).value().state ==
          TransferState::posted);
    CHECK(settle_transfer(*topup.db, "topup:1", true, start).value().state ==
          TransferState::posted);
    CHECK(topup.balance() == 50'000);
    CHECK(settle_transfer(*topup.db, "topup:1", false, start).error() ==
          BankError::already_posted);
    const AccountId clearing = find_account(*topup.db, SystemAccount::mpesa_clearing).value();
    REQUIRE(create_transfer(*topup.db, {"topup:2", clearing, topup.wallet, 100, "topup", true},
                            start)
                .has_value());
    CHECK(settle_transfer(*topup.db, "topup:2", false, start).value().state ==
          TransferState::voided);
    CHECK(settle_transfer(*topup.db, "topup:2", false, start).has_value());
    CHECK(settle_transfer(*topup.db, "topup:2", true, start).error() ==
          BankError::already_voided);
    CHECK(settle_transfer(*topup.db, "nope", true, start).error() ==
          BankError::unknown_transfer);
    CHECK(topup.balance() == 50'000);
    topup.check_books();
}

TEST_CASE("an SMS row completes without touching the ledger or the audit log") {
    // Goal: only money legs settle transfers. Method: send and complete an SMS row.
    Topup topup;
    const auto sms = enqueue_outbox(
        *topup.db, {OutboxKind::sms, std::nullopt, phone, std::nullopt, "Salio"}, start).value();
    CHECK(complete_outbox(*topup.db, sms, true, "", "sandbox", start).value().state ==
          OutboxState::done);
    CHECK(topup.state() == TransferState::pending);
    CHECK(topup.audit_events() == 0);
    CHECK(complete_outbox(*topup.db, 999, true, "", "sandbox", start).error() ==
          BankError::unknown_transfer);
}
