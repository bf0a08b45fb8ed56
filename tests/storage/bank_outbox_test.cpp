// The outbox: idempotent queueing, claiming due rows, backoff to a cap, settling money legs, and
// refusing rows this binary never wrote.
#include "storage/bank/money/outbox.hpp"

#include <doctest/doctest.h>

#include "tests/storage/outbox_topup.hpp"

#include "storage/bank/money/audit.hpp"
#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/money/book_check.hpp"
#include "storage/bank/sql/schema.hpp"
#include "storage/bank/money/settlement.hpp"
#include "storage/bank/money/users.hpp"

namespace {

using namespace hodi::storage;
using hodi::test::phone;
using hodi::test::start;
using hodi::test::Topup;
using namespace std::chrono_literals;

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
    CHECK(claim_due_outbox(*topup.db, start - 1s, 10, 30s).value().rows.empty());
    auto claimed = claim_due_outbox(*topup.db, start + 20s, 2, 30s).value().rows;
    REQUIRE(claimed.size() == 2);
    CHECK(claimed[0].id == topup.row);
    CHECK(claimed[1].id == later);
    CHECK(claimed[0].next_attempt_at == start + 50s);
    claimed = claim_due_outbox(*topup.db, start + 21s, 10, 30s).value().rows;
    REQUIRE(claimed.size() == 1);
    CHECK(claimed[0].id == latest);
    CHECK(claim_due_outbox(*topup.db, start + 49s, 10, 30s).value().rows.empty());
    CHECK(claim_due_outbox(*topup.db, start + 50s, 10, 30s).value().rows.size() == 2);
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
    CHECK(claim_due_outbox(*topup.db, start + 1h, 10, 30s).value().rows.empty());
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
    CHECK(claim_due_outbox(*topup.db, start + 4s, 10, 30s).value().rows.empty());
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

namespace {

// Writes `sql` past the table's CHECK constraints, as a newer hodi or a hand edit might.
void tamper(Connection& db, const std::string& sql) {
    db.exec("PRAGMA ignore_check_constraints = ON");
    db.exec(sql);
    db.exec("PRAGMA ignore_check_constraints = OFF");
}

}  // namespace

TEST_CASE("a row whose state this binary never wrote is corrupt, and nothing touches it") {
    // Goal: a garbled state is never read as pending (which would pay a leg again). Method: set
    // the state to garbage by raw SQL; every reader and writer of that row answers corrupt and
    // writes nothing; the counts refuse too. Before the fix it read as a pending SMS.
    Topup topup;
    tamper(*topup.db, "UPDATE outbox SET state = 'paid?' WHERE id = " + std::to_string(topup.row));
    CHECK(find_outbox(*topup.db, topup.row).error() == BankError::corrupt);
    CHECK(find_outbox_for_transfer(*topup.db, OutboxKind::stk_push, "topup:1").error() ==
          BankError::corrupt);
    CHECK(complete_outbox(*topup.db, topup.row, true, "", "sandbox", start).error() ==
          BankError::corrupt);
    CHECK(mark_outbox_sent(*topup.db, topup.row, "ws_CO_1", start, start).error() ==
          BankError::corrupt);
    const OutboxAttempt accepted{OutboxOutcome::accepted, "ws_CO_1", "", start + 5s};
    CHECK(record_outbox_attempt(*topup.db, topup.row, accepted, {}, "sandbox", start).error() ==
          BankError::corrupt);
    CHECK(count_outbox(*topup.db).error() == BankError::corrupt);
    CHECK(topup.state() == TransferState::pending);
    CHECK(topup.balance() == 0);
    CHECK(topup.db->execAndGet("SELECT state || attempts || ifnull(provider_ref, '-') FROM outbox")
              .getString() == "paid?0-");
}

TEST_CASE("a due row of unknown kind is reported by the claim, left alone, and blocks no other") {
    // Goal: a garbled kind is never sent as an SMS. Method: set one of two due rows' kind to
    // garbage; the claim leases the other and names the garbled one without leasing it.
    Topup topup;
    const auto sms = enqueue_outbox(
        *topup.db, {OutboxKind::sms, std::nullopt, phone, std::nullopt, "Salio"}, start).value();
    tamper(*topup.db, "UPDATE outbox SET kind = 'fax' WHERE id = " + std::to_string(topup.row));
    const OutboxClaim claim = claim_due_outbox(*topup.db, start, 10, 30s).value();
    REQUIRE(claim.rows.size() == 1);
    CHECK(claim.rows[0].id == sms);
    REQUIRE(claim.corrupt.size() == 1);
    CHECK(claim.corrupt[0] == topup.row);
    CHECK(topup.db->execAndGet("SELECT next_attempt_at FROM outbox WHERE kind = 'fax'")
              .getInt64() == unix_seconds(start));
}

TEST_CASE("recording calls counts them, keeps the reference, and never fails an unknown leg") {
    // Goal: the outcome model's effects on a row. Method: accepted, then unknown past the
    // attempts bound, then succeeded; the transfer stays pending until the last.
    Topup topup;
    const OutboxRetry retry{5s, 60s, 2};
    OutboxRow row = record_outbox_attempt(*topup.db, topup.row,
                                          {OutboxOutcome::accepted, "ws_CO_1", "", start + 30s},
                                          retry, "daraja", start)
                        .value();
    CHECK(row.state == OutboxState::sent);
    CHECK(row.attempts == 1);
    CHECK(row.provider_ref == "ws_CO_1");
    CHECK(row.next_attempt_at == start + 30s);
    for (int call = 0; call < 3; ++call) {
        row = record_outbox_attempt(*topup.db, topup.row,
                                    {OutboxOutcome::unknown, "", "read timed out", start + 90s},
                                    retry, "daraja", start + 30s)
                  .value();
    }
    CHECK(row.state == OutboxState::sent);
    CHECK(row.attempts == 4);
    CHECK(row.provider_ref == "ws_CO_1");
    CHECK(row.last_error == "read timed out");
    CHECK(topup.outbox().next_attempt_at == start + 90s);
    CHECK(topup.state() == TransferState::pending);
    row = record_outbox_attempt(*topup.db, topup.row, {OutboxOutcome::succeeded, "", "", {}},
                                retry, "daraja", start + 90s)
              .value();
    CHECK(row.state == OutboxState::done);
    CHECK(row.attempts == 5);
    CHECK(topup.state() == TransferState::posted);
    CHECK(topup.balance() == 50'000);
    topup.check_books();
}

TEST_CASE("spent retries fail a leg the provider never took, and keep one it has") {
    // Goal: bounded retries void only what cannot have moved money. Method: a pending row
    // retried to attempts_max fails; a sent row retried past it stays sent, due every
    // backoff_max; a row past age_max fails on its first retry.
    Topup topup;
    const OutboxRetry retry{5s, 60s, 2};
    const OutboxAttempt refused{OutboxOutcome::retry, "", "connect refused", start + 5s};
    CHECK(record_outbox_attempt(*topup.db, topup.row, refused, retry, "daraja", start)
              .value()
              .state == OutboxState::pending);
    CHECK(record_outbox_attempt(*topup.db, topup.row, refused, retry, "daraja", start)
              .value()
              .state == OutboxState::failed);
    CHECK(topup.state() == TransferState::voided);

    const AccountId clearing = find_account(*topup.db, SystemAccount::mpesa_clearing).value();
    REQUIRE(create_transfer(*topup.db, {"topup:2", clearing, topup.wallet, 100, "topup", true},
                            start)
                .has_value());
    const auto sent = enqueue_outbox(*topup.db, Topup::stk("topup:2"), start).value();
    REQUIRE(mark_outbox_sent(*topup.db, sent, "ws_CO_2", start, start).has_value());
    OutboxRow row;
    for (int call = 0; call < 3; ++call) {
        row = record_outbox_attempt(*topup.db, sent, refused, retry, "daraja", start + 10s).value();
    }
    CHECK(row.state == OutboxState::sent);
    CHECK(row.attempts == 3);
    CHECK(row.next_attempt_at == start + 10s + 60s);
    CHECK(find_transfer(*topup.db, "topup:2").value()->state == TransferState::pending);

    const OutboxRequest sms{OutboxKind::sms, std::nullopt, phone, std::nullopt, "Habari"};
    const auto old = enqueue_outbox(*topup.db, sms, start).value();
    const OutboxRetry young{5s, 60s, 10, 1h};
    CHECK(record_outbox_attempt(*topup.db, old, refused, young, "at", start + 59min)
              .value()
              .state == OutboxState::pending);
    CHECK(record_outbox_attempt(*topup.db, old, refused, young, "at", start + 1h)
              .value()
              .state == OutboxState::failed);
    topup.check_books();
}

TEST_CASE("jitter spreads a backoff over its upper half") {
    // Goal: retries after an outage spread out but never come sooner than half the backoff.
    CHECK(outbox_jittered(40s, 0.0) == 20s);
    CHECK(outbox_jittered(40s, 0.5) == 30s);
    CHECK(outbox_jittered(40s, 0.999) == 39s);
    CHECK(outbox_jittered(40s, 7.0) == 40s);
    CHECK(outbox_jittered(5s, 0.0) == 2s);
}
