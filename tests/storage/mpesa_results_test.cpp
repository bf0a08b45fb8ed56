// M-Pesa's word applied to outbox rows: matched by reference or hodi's own id, settled once,
// and never believed where it contradicts the request; callbacks kept raw and their fate
// recorded once; reviews opened once per contradiction and closed by an operator.
#include "storage/bank/money/mpesa_results.hpp"

#include <doctest/doctest.h>

#include "tests/storage/outbox_topup.hpp"

#include "storage/bank/money/book_check.hpp"
#include "storage/bank/money/mpesa_callbacks.hpp"
#include "storage/bank/money/payment_reviews.hpp"
#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/sql/schema.hpp"
#include "storage/bank/money/users.hpp"

namespace {

using namespace hodi::storage;
using namespace std::chrono_literals;

using hodi::test::phone;
using hodi::test::start;

// The top-up, its STK push accepted by Daraja as ws_CO_1.
struct Pushed : hodi::test::Topup {
    Pushed() {
        const OutboxAttempt accepted{OutboxOutcome::accepted, "ws_CO_1", "", start + 60s};
        REQUIRE(record_outbox_attempt(*db, row, accepted, {}, "daraja", start).has_value());
    }
    static MpesaResult said(MpesaVerdict verdict) {
        MpesaResult result;
        result.kind = OutboxKind::stk_push;
        result.provider_ref = "ws_CO_1";
        result.verdict = verdict;
        result.code = verdict == MpesaVerdict::succeeded ? "0" : "1032";
        result.amount = 50'000;
        result.phone = "254712345678";
        return result;
    }
    AppliedResult apply(const MpesaResult& result) {
        return apply_mpesa_result(*db, result, std::nullopt, "daraja", start + 30s).value();
    }
    OutboxState state() { return outbox().state; }
    std::size_t open_reviews() { return list_reviews(*db, true).value().size(); }
};

}  // namespace

TEST_CASE("a success matching the request credits once, however often it is said") {
    // Goal: duplicated callbacks never credit twice. Method: apply the same success three times.
    Pushed pushed;
    CHECK(pushed.apply(Pushed::said(MpesaVerdict::succeeded)).fate == ResultFate::applied);
    CHECK(pushed.balance() == 50'000);
    CHECK(pushed.apply(Pushed::said(MpesaVerdict::succeeded)).fate == ResultFate::duplicate);
    CHECK(pushed.apply(Pushed::said(MpesaVerdict::succeeded)).fate == ResultFate::duplicate);
    CHECK(pushed.balance() == 50'000);
    CHECK(pushed.state() == OutboxState::done);
    CHECK(pushed.open_reviews() == 0);
    CHECK(verify_book(*pushed.db).violations.empty());
}

TEST_CASE("a failure voids the leg, and a later success is a review that moves nothing") {
    // Goal: a subscriber told "failed" has not moved money, even when M-Pesa changes its mind.
    Pushed pushed;
    CHECK(pushed.apply(Pushed::said(MpesaVerdict::failed)).fate == ResultFate::applied);
    CHECK(pushed.state() == OutboxState::failed);
    CHECK(pushed.apply(Pushed::said(MpesaVerdict::failed)).fate == ResultFate::duplicate);
    const AppliedResult late = pushed.apply(Pushed::said(MpesaVerdict::succeeded));
    CHECK(late.fate == ResultFate::review);
    CHECK(late.reason == "success after failure");
    CHECK(pushed.balance() == 0);
    // Said again, it raises no second review.
    CHECK(pushed.apply(Pushed::said(MpesaVerdict::succeeded)).review_id == late.review_id);
    CHECK(pushed.open_reviews() == 1);
}

TEST_CASE("a failure after a success undoes nothing and opens a review") {
    Pushed pushed;
    pushed.apply(Pushed::said(MpesaVerdict::succeeded));
    const AppliedResult contradiction = pushed.apply(Pushed::said(MpesaVerdict::failed));
    CHECK(contradiction.fate == ResultFate::review);
    CHECK(contradiction.reason == "failure after success");
    CHECK(pushed.balance() == 50'000);
    CHECK(pushed.state() == OutboxState::done);
}

TEST_CASE("a success for another amount or phone moves nothing and opens a review") {
    // Goal: a callback that does not match what hodi asked for is never believed.
    Pushed pushed;
    MpesaResult more = Pushed::said(MpesaVerdict::succeeded);
    more.amount = 5'000'000;
    CHECK(pushed.apply(more).fate == ResultFate::review);
    MpesaResult other = Pushed::said(MpesaVerdict::succeeded);
    other.phone = "254700000001";
    const AppliedResult wrong_phone = pushed.apply(other);
    CHECK(wrong_phone.fate == ResultFate::review);
    CHECK(wrong_phone.reason == "phone differs from the request's");
    CHECK(pushed.balance() == 0);
    CHECK(pushed.state() == OutboxState::sent);
    CHECK(pushed.open_reviews() == 2);
    // The right word still settles the leg.
    CHECK(pushed.apply(Pushed::said(MpesaVerdict::succeeded)).fate == ResultFate::applied);
    CHECK(pushed.balance() == 50'000);
}

TEST_CASE("a success no request matches opens a review; a failure no request matches does not") {
    Pushed pushed;
    MpesaResult stranger = Pushed::said(MpesaVerdict::succeeded);
    stranger.provider_ref = "ws_CO_unknown";
    const AppliedResult unknown = pushed.apply(stranger);
    CHECK(unknown.fate == ResultFate::review);
    CHECK_FALSE(unknown.outbox_id.has_value());
    CHECK(unknown.reason == "no request matches ws_CO_unknown");
    // Its duplicates raise no second review; another stranger does.
    CHECK(pushed.apply(stranger).review_id == unknown.review_id);
    MpesaResult other = stranger;
    other.provider_ref = "ws_CO_other";
    CHECK(pushed.apply(other).review_id != unknown.review_id);
    stranger.verdict = MpesaVerdict::failed;
    CHECK(pushed.apply(stranger).fate == ResultFate::duplicate);
    CHECK(pushed.open_reviews() == 2);
    CHECK(pushed.balance() == 0);
}

TEST_CASE("hodi's own id matches a payout whose answer was lost, and teaches it its reference") {
    // Goal: a B2C executed while its synchronous answer was lost is still matched. Method: a
    // B2C row never marked sent; a result naming the row by id and a ConversationID.
    Pushed pushed;
    const std::int64_t payout = enqueue_outbox(
        *pushed.db, {OutboxKind::b2c, "topup:1", phone, 50'000, "loan 1"}, start).value();
    MpesaResult pending;
    pending.kind = OutboxKind::b2c;
    pending.outbox_id = payout;
    pending.provider_ref = "AG_1";
    pending.verdict = MpesaVerdict::pending;
    CHECK(pushed.apply(pending).fate == ResultFate::pending);
    CHECK(find_outbox(*pushed.db, payout).value()->provider_ref == "AG_1");
    CHECK(find_outbox_by_provider_ref(*pushed.db, OutboxKind::b2c, "AG_1").value()->id == payout);
    // The same id on another kind of request matches nothing.
    pending.kind = OutboxKind::stk_push;
    CHECK_FALSE(pushed.apply(pending).outbox_id.has_value());
    // A ConversationID that differs from the one learnt is a contradiction.
    pending.kind = OutboxKind::b2c;
    pending.provider_ref = "AG_2";
    CHECK(pushed.apply(pending).fate == ResultFate::review);
}

TEST_CASE("callbacks are kept raw, applied once, and counted while unapplied") {
    Pushed pushed;
    Connection& db = *pushed.db;
    const auto first = store_callback(db, CallbackSource::stk, "ws_CO_1", "{\"a\":1}", start);
    const auto second = store_callback(db, CallbackSource::stk, "ws_CO_1", "{\"a\":1}", start + 5s);
    REQUIRE(first.has_value());
    CHECK(*second != *first);
    CHECK(count_unapplied_callbacks(db).value().count == 2);
    CHECK(count_unapplied_callbacks(db).value().oldest == start);
    CHECK(unapplied_callbacks(db, start + 1s, 10).value().size() == 1);
    const StoredCallback applied =
        record_callback_fate(db, *first, CallbackFate::applied, "ok", start + 6s).value();
    CHECK(applied.fate == CallbackFate::applied);
    CHECK(applied.body == "{\"a\":1}");
    // The first fate stands.
    CHECK(record_callback_fate(db, *first, CallbackFate::review, "", start + 7s).value().fate ==
          CallbackFate::applied);
    CHECK(count_unapplied_callbacks(db).value().count == 1);
    CHECK(record_callback_fate(db, 999, CallbackFate::applied, "", start).error() ==
          BankError::unknown_record);
    db.exec("UPDATE mpesa_callbacks SET source = 'sms' WHERE id = " + std::to_string(*second));
    CHECK(find_callback(db, *second).error() == BankError::corrupt);
}

TEST_CASE("a review is closed once, by an operator, and audited") {
    Pushed pushed;
    MpesaResult more = Pushed::said(MpesaVerdict::succeeded);
    more.amount = 1'000;
    const std::int64_t id = pushed.apply(more).review_id.value();
    CHECK(count_open_reviews(*pushed.db).value().count == 1);
    const PaymentReview closed =
        close_review(*pushed.db, id, "refunded on the portal", "operator", start + 1h).value();
    CHECK(closed.settled_at == start + 1h);
    CHECK(closed.settled_by == "operator");
    CHECK(close_review(*pushed.db, id, "again", "operator", start + 2h).value().resolution ==
          "refunded on the portal");
    CHECK(count_open_reviews(*pushed.db).value().count == 0);
    CHECK(list_reviews(*pushed.db, false).value().size() == 1);
    CHECK(close_review(*pushed.db, 42, "", "operator", start).error() ==
          BankError::unknown_record);
    CHECK(pushed.db->execAndGet("SELECT count(*) FROM audit WHERE event LIKE 'mpesa.review.%'")
              .getInt() == 2);
}

TEST_CASE("a claim whose pass never recorded its call marks the row's outcome as lost") {
    // Goal: a payout a dead pass may have sent is asked about, never sent again. Method: claim
    // a row, record nothing, claim it again once the lease ends.
    Pushed pushed;
    const std::int64_t payout = enqueue_outbox(
        *pushed.db, {OutboxKind::b2c, "topup:1", phone, 50'000, "loan 1"}, start).value();
    auto first = claim_due_outbox(*pushed.db, start + 1s, 10, 60s).value();
    const auto mine = [payout](const OutboxClaim& claim) {
        for (const OutboxRow& row : claim.rows) {
            if (row.id == payout) return row;
        }
        FAIL("the payout was not claimed");
        return OutboxRow{};
    };
    CHECK(mine(first).claims == 1);
    CHECK_FALSE(mine(first).outcome_lost());
    auto again = claim_due_outbox(*pushed.db, start + 2min, 10, 60s).value();
    CHECK(mine(again).claims == 2);
    CHECK(mine(again).outcome_lost());
    // A call recorded later does not clear the lost one: that call may still have reached M-Pesa.
    const OutboxAttempt refused{OutboxOutcome::retry, "", "connect refused", start + 3min};
    REQUIRE(record_outbox_attempt(*pushed.db, payout, refused, {}, "daraja", start + 2min)
                .has_value());
    auto after = claim_due_outbox(*pushed.db, start + 10min, 10, 60s).value();
    CHECK(mine(after).claims == 3);
    CHECK(mine(after).outcome_lost());
}
