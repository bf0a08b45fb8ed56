// The overdue sweeper as `hodi serve` runs it: on a real Store, on an io_context, charging
// every overdue borrower in small jobs, once per sweep, and stopping cleanly.
#include "storage/bank/money/overdue_sweeper.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "storage/bank/money/ledger.hpp"
#include "storage/bank/money/loans.hpp"
#include "storage/bank/money/settlement.hpp"
#include "storage/bank/money/users.hpp"
#include "tests/support/vectors.hpp"

namespace {

using namespace hodi::storage;
using namespace std::chrono_literals;

const Seconds start{std::chrono::seconds{1'800'000'000}};

// `phones.size()` borrowers, each with one paid-out loan of KES 1,000 due at the same time.
Seconds seed_borrowers(Store& store, const std::vector<std::string>& phones) {
    LoanSettings settings;
    settings.limits = {{0, 500'000}};
    settings.min_tenure_days = 0;
    settings.min_saving_weeks = 0;
    Seconds due{};
    for (const std::string& phone : phones) {
        auto loan = store.write_now<Loan>([&](Connection& db) -> boost::system::result<Loan> {
            const auto user = ensure_user(db, phone, hodi::engine::Language::en, start);
            if (!user) return user.error();
            const std::string id = "loan:" + phone;
            const auto applied =
                apply_for_loan(db, {id, user->id, phone, 100'000, "business"}, settings, start);
            if (!applied) return applied.error();
            if (auto settled = settle_transfer(db, id, true, start); !settled) {
                return settled.error();
            }
            return applied->loan;
        });
        REQUIRE(loan.has_value());
        due = loan->due_at;
    }
    return due;
}

std::int64_t overdue_events(Store& store) {
    return store
        .read_now<std::int64_t>([](Connection& db) -> boost::system::result<std::int64_t> {
            return db.execAndGet("SELECT count(*) FROM audit WHERE event = 'loan.overdue'")
                .getInt64();
        })
        .value();
}

// Runs `io` until the sweeper has finished `sweeps` sweeps, or 20 s have passed.
void run_until_swept(boost::asio::io_context& io, const OverdueSweeper& sweeper,
                     std::uint64_t sweeps) {
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (sweeper.sweeps() < sweeps && std::chrono::steady_clock::now() < give_up) {
        io.run_for(10ms);
        if (io.stopped()) io.restart();
    }
}

}  // namespace

TEST_CASE("a sweep charges every overdue borrower, a few per job, and each only once") {
    // Goal: penalties do not wait for borrowers to dial, and small jobs still reach the whole
    // book. Method: three overdue borrowers, one per job; the first sweep must charge all
    // three; stopping and sweeping again later must charge nobody twice.
    hodi::test::TempDir dir;
    auto store = Store::open(StoreSettings{dir.path() / "hodi.db"}).value();
    const Seconds due = seed_borrowers(*store, {"+254700000001", "+254700000002",
                                                "+254700000003"});
    boost::asio::io_context io;
    {
        OverdueSweeper sweeper(io.get_executor(), *store,
                               {.interval = std::chrono::hours{1}, .users_per_job = 1},
                               [due] { return due + 1h; });
        sweeper.start();
        run_until_swept(io, sweeper, 1);
        REQUIRE(sweeper.sweeps() == 1);
        CHECK(overdue_events(*store) == 3);
        sweeper.stop();
        io.run_for(100ms);  // the cancelled wait ends the loop
        CHECK(sweeper.sweeps() == 1);
    }
    OverdueSweeper again(io.get_executor(), *store, {}, [due] { return due + 48h; });
    again.start();
    run_until_swept(io, again, 1);
    REQUIRE(again.sweeps() == 1);
    CHECK(overdue_events(*store) == 3);
}

TEST_CASE("a sweep before any loan is due charges nothing") {
    // Goal: nobody is charged early. Method: sweep an hour before the due date.
    hodi::test::TempDir dir;
    auto store = Store::open(StoreSettings{dir.path() / "hodi.db"}).value();
    const Seconds due = seed_borrowers(*store, {"+254700000001"});
    boost::asio::io_context io;
    OverdueSweeper sweeper(io.get_executor(), *store, {}, [due] { return due - 1h; });
    sweeper.start();
    run_until_swept(io, sweeper, 1);
    REQUIRE(sweeper.sweeps() == 1);
    CHECK(overdue_events(*store) == 0);
}
