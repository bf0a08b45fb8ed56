// Reads of the loan book (loan.limit, loan.status, score) show what is due and move nothing:
// only the overdue sweep and repayments charge a penalty.
#include <doctest/doctest.h>

#include "storage/bank/money/loans.hpp"
#include "storage/bank/money/settlement.hpp"
#include "tests/storage/bank_teller.hpp"

namespace {

using namespace hodi::storage;
using namespace std::chrono_literals;
using hodi::engine::ActionResult;

const Seconds start{std::chrono::seconds{1'800'000'000}};

// Every subscriber may borrow up to KES 5,000 at once: these tests are about loans, not about
// who may have one.
LoanSettings flat_settings() {
    LoanSettings settings;
    settings.limits = {{0, 500'000}};
    settings.min_tenure_days = 0;
    settings.min_saving_weeks = 0;
    return settings;
}

// A borrower with a KES 2,000 loan paid out (KES 2,250 to repay, 5% penalty when overdue),
// acting through BankActions on a clock the test moves.
struct Borrower : hodi::test::Teller {
    Borrower() : hodi::test::Teller(start, flat_settings()) {
        REQUIRE(act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
        REQUIRE(act("loan.apply", {{"amount", "2000"}, {"purpose", "business"}, {"pin", "2580"}})
                    .outcome == "ok");
        const std::string payout = text("SELECT disbursement FROM loans");
        REQUIRE(store
                    ->write_now<Transfer>([payout](Connection& db) {
                        return settle_transfer(db, payout, true, start);
                    })
                    .has_value());
    }

    // Everything a penalty would change: the transfers, the entries, the loan and the audit.
    std::string book() {
        return text(
            "SELECT (SELECT count(*) FROM transfers) || '/' || (SELECT count(*) FROM entries) || "
            "'/' || (SELECT group_concat(penalty || ':' || ifnull(overdue_at, '-')) FROM loans) "
            "|| '/' || (SELECT count(*) FROM audit WHERE event = 'loan.overdue')");
    }
    std::size_t sweep() {
        return store
            ->write_now<std::size_t>(
                [at = now](Connection& db) { return charge_all_overdue_penalties(db, at, 100); })
            .value();
    }
};

}  // namespace

TEST_CASE("reading an overdue borrower's limit, status and score charges no penalty") {
    // Goal: a read never moves money. Method: past the due date, read loan.limit, loan.status
    // and score twice over; the book is unchanged, the status already shows the penalty due;
    // then the sweep charges it once and every read answers as before. Before the fix each of
    // the three reads charged the penalty.
    Borrower b;
    b.now = start + 40 * 24h;  // the loan is due after 30 days
    const std::string before = b.book();
    CHECK(before.ends_with("/0:-/0"));
    ActionResult status;
    ActionResult score;
    ActionResult limit;
    for (int round = 0; round < 2; ++round) {
        limit = b.read("loan.limit");
        status = b.read("loan.status");
        score = b.read("score");
    }
    CHECK(b.book() == before);
    CHECK(status.outcome == "overdue");
    CHECK(status.outputs.at("balance_due") == "2,362.50");  // 2,250 + 5%

    CHECK(b.sweep() == 1);
    CHECK(b.book() != before);
    CHECK(b.book().ends_with("/1"));
    CHECK(b.sweep() == 0);
    CHECK(b.read("loan.status").outputs == status.outputs);
    CHECK(b.read("score").outputs == score.outputs);
    CHECK(b.read("loan.limit").outputs == limit.outputs);
}

TEST_CASE("a read job that tries to write fails and writes nothing") {
    // Goal: reads are read-only by construction, not by care. Method: a read job that inserts a
    // user; it answers an error and the row is not there.
    hodi::test::TempDir dir;
    auto store = Store::open(StoreSettings{dir.path() / "hodi.db"}).value();
    const auto wrote = store->read_now<int>([](Connection& db) -> boost::system::result<int> {
        db.exec("INSERT INTO users (phone, created_at) VALUES ('+254700000001', 0)");
        return 1;
    });
    CHECK_FALSE(wrote.has_value());
    const auto users = store->read_now<std::int64_t>([](Connection& db) {
        return boost::system::result<std::int64_t>(
            db.execAndGet("SELECT count(*) FROM users").getInt64());
    });
    CHECK(users.value() == 0);
}
