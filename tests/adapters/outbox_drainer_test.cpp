// The sandbox outbox drainer on a real SQLite file: legs settle once, across a crash too.
#include "adapters/outbox_drainer.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "storage/bank/money/audit.hpp"
#include "storage/bank/actions/bank_action_jobs.hpp"
#include "storage/bank/money/book_check.hpp"
#include "adapters/sandbox_sender.hpp"
#include "storage/bank/money/outbox.hpp"
#include "tests/support/vectors.hpp"

namespace {

namespace net = boost::asio;
using namespace hodi::storage;
using namespace std::chrono_literals;
using hodi::adapters::DrainerSettings;
using hodi::adapters::DrainPass;
using hodi::adapters::OutboxDrainer;
using hodi::adapters::SandboxSender;
using hodi::adapters::Senders;

const Seconds start{std::chrono::seconds{1'800'000'000}};
const std::string phone = "+254712345678";
// Polls are real time; the business clock is passed in. Quick polls keep the tests short.
const DrainerSettings quick{.poll = 5ms, .batch = 16};
const Senders sandbox = Senders::all(std::make_shared<SandboxSender>(
    hodi::adapters::SandboxSettings{.delay = 2'000ms}));
// Every wait on the io_context is bounded by this, so a broken drainer fails, never hangs.
constexpr std::chrono::seconds wait_limit{10};

std::unique_ptr<Store> open_store(const hodi::test::TempDir& dir) {
    return Store::open(StoreSettings{dir.path() / "hodi.db"}).value();
}

// A registered user asks to top up 500 shillings: a pending transfer and its STK push row.
void ask_topup(Store& store, const std::string& id) {
    REQUIRE(store
                .write_now<User>([](Connection& db) {
                    return ensure_user(db, phone, hodi::engine::Language::en, start);
                })
                .has_value());
    const auto asked =
        store.write_now<hodi::engine::ActionResult>(
            mpesa_in_job(id, wallet_code(phone), 50'000, "topup", start));
    REQUIRE(asked.has_value());
    REQUIRE(asked->outcome == "pending");
}

bool run_until(net::io_context& io, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        io.run_one_for(10ms);
    }
    return true;
}

// The book as the drainer left it.
struct Seen {
    TransferState state = TransferState::pending;
    Cents balance = 0;
    OutboxState row = OutboxState::pending;
    std::int64_t audit_events = 0;
    std::int64_t entries = 0;
    bool book_ok = false;
    bool chain_ok = false;
};

Seen look(Store& store, const std::string& id) {
    return store
        .read_now<Seen>([id](Connection& db) -> boost::system::result<Seen> {
            Seen seen;
            const Transfer transfer = find_transfer(db, id).value().value();
            seen.state = transfer.state;
            seen.balance = load_account(db, find_account(db, wallet_code(phone)).value())
                               .value()
                               .balance;
            seen.row = find_outbox_for_transfer(db, OutboxKind::stk_push, id).value()->state;
            seen.audit_events = db.execAndGet("SELECT count(*) FROM audit WHERE event = "
                                              "'mpesa.stk_push.done' AND actor = 'sandbox'")
                                    .getInt64();
            SQLite::Statement entries(db, "SELECT count(*) FROM entries WHERE transfer = ?");
            entries.bind(1, transfer.seq);
            if (!entries.executeStep()) return make_error_code(BankError::store_failed);
            seen.entries = entries.getColumn(0).getInt64();
            seen.book_ok = verify_book(db).violations.empty();
            seen.chain_ok = !verify_audit(db).value().broken.has_value();
            return seen;
        })
        .value();
}

// One pass, run on `io`, the drainer's own io_context.
DrainPass drain_once(net::io_context& io, OutboxDrainer& drainer) {
    auto future = net::co_spawn(io, drainer.drain_once(), net::use_future);
    io.restart();
    io.run();
    return future.get().value();
}

}  // namespace

TEST_CASE("the sandbox drainer posts a topup once its delay has passed") {
    // Goal: the whole money-in loop completes with no provider. Method: a real file store; the
    // drainer polls with the clock at the request (the leg is sent), then 2 s later (posted).
    hodi::test::TempDir dir;
    auto store = open_store(dir);
    ask_topup(*store, "topup:1");
    Seconds now = start;
    net::io_context io;
    OutboxDrainer drainer(io.get_executor(), *store, quick, sandbox, [&now] { return now; });
    drainer.start();
    REQUIRE(run_until(io, [&] { return drainer.counters().passes >= 2; }));
    Seen seen = look(*store, "topup:1");
    CHECK(seen.state == TransferState::pending);
    CHECK(seen.row == OutboxState::sent);
    CHECK(seen.balance == 0);
    CHECK(drainer.counters().pending == 1);

    now = start + 2s;
    REQUIRE(run_until(io, [&] { return drainer.counters().completed >= 1; }));
    drainer.stop();
    io.run_for(wait_limit);
    CHECK(io.stopped());  // the loop ended: nothing is left on the io_context
    seen = look(*store, "topup:1");
    CHECK(seen.state == TransferState::posted);
    CHECK(seen.row == OutboxState::done);
    CHECK(seen.balance == 50'000);
    CHECK(seen.audit_events == 1);
    CHECK(seen.book_ok);
    CHECK(seen.chain_ok);
    CHECK(drainer.counters().completed == 1);
    CHECK(drainer.counters().failed == 0);
    CHECK(drainer.counters().pending == 0);
}

TEST_CASE("a drainer that dies before completing a leg completes it exactly once after restart") {
    // Goal: a crash loses nothing and pays nothing twice. Method: first life sends the leg, then
    // drainer and store are destroyed without completing it; the second life completes it; a
    // third life and a replayed request change nothing.
    hodi::test::TempDir dir;
    {
        net::io_context io;
        auto store = open_store(dir);
        ask_topup(*store, "topup:1");
        OutboxDrainer drainer(io.get_executor(), *store, quick, sandbox, [] { return start; });
        drainer.start();
        REQUIRE(run_until(io, [&] { return drainer.counters().passes >= 1; }));
        CHECK(look(*store, "topup:1").row == OutboxState::sent);
    }  // no stop, no final drain: the process is gone
    {
        net::io_context io;
        auto store = open_store(dir);
        OutboxDrainer drainer(io.get_executor(), *store, quick, sandbox, [] { return start + 3s; });
        drainer.start();
        REQUIRE(run_until(io, [&] { return drainer.counters().completed >= 1; }));
        const Seen seen = look(*store, "topup:1");
        CHECK(seen.state == TransferState::posted);
        CHECK(seen.balance == 50'000);
        CHECK(seen.entries == 2);
    }
    auto store = open_store(dir);
    ask_topup(*store, "topup:1");  // AT repeats the hop: same transfer id
    net::io_context io;
    OutboxDrainer drainer(io.get_executor(), *store, quick, sandbox, [] { return start + 1h; });
    const DrainPass pass = drain_once(io, drainer);
    CHECK(pass.completed + pass.sent + pass.failed == 0);
    CHECK(pass.pending == 0);
    const Seen seen = look(*store, "topup:1");
    CHECK(seen.balance == 50'000);
    CHECK(seen.entries == 2);
    CHECK(seen.audit_events == 1);
    CHECK(seen.book_ok);
    CHECK(seen.chain_ok);
}

TEST_CASE("one pass delivers SMS, completes overdue legs, and fails a leg it cannot settle") {
    // Goal: a pass handles every due kind and one odd row blocks nothing. Method: an SMS, an
    // overdue leg, and a leg whose transfer was voided elsewhere, in one pass.
    hodi::test::TempDir dir;
    auto store = open_store(dir);
    ask_topup(*store, "topup:1");
    ask_topup(*store, "topup:2");
    REQUIRE(store
                ->write_now<std::int64_t>([](Connection& db) {
                    if (auto voided = void_transfer(db, "topup:2", start); !voided) {
                        return boost::system::result<std::int64_t>(voided.error());
                    }
                    return enqueue_outbox(
                        db, {OutboxKind::sms, std::nullopt, phone, std::nullopt, "Salio: 500"},
                        start);
                })
                .has_value());
    net::io_context io;
    OutboxDrainer drainer(io.get_executor(), *store, quick, sandbox, [] { return start + 1min; });
    const DrainPass pass = drain_once(io, drainer);
    CHECK(pass.completed == 2);
    CHECK(pass.failed == 1);
    CHECK(pass.sent == 0);
    CHECK(pass.pending == 0);
    CHECK(drainer.counters().completed == 2);
    CHECK(drainer.counters().failed == 1);
    const Seen seen = look(*store, "topup:1");
    CHECK(seen.state == TransferState::posted);
    CHECK(seen.balance == 50'000);
    CHECK(look(*store, "topup:2").row == OutboxState::failed);
    CHECK(seen.book_ok);
    CHECK(seen.chain_ok);
}

TEST_CASE("stopping the drainer ends its loop without waiting for the next poll") {
    // Goal: shutdown is prompt. Method: a ten-minute poll; stop after the first pass; the
    // io_context runs out of work well inside the bound.
    hodi::test::TempDir dir;
    auto store = open_store(dir);
    net::io_context io;
    OutboxDrainer drainer(io.get_executor(), *store, {.poll = 10min, .batch = 16}, sandbox,
                          [] { return start; });
    drainer.start();
    REQUIRE(run_until(io, [&] { return drainer.counters().passes >= 1; }));
    drainer.stop();
    const auto began = std::chrono::steady_clock::now();
    io.run_for(wait_limit);
    CHECK(io.stopped());
    CHECK(std::chrono::steady_clock::now() - began < wait_limit);
    CHECK(drainer.counters().passes == 1);
}
