// The drainer with a fake sender on a real SQLite file: errors from senders and from the store
// are recorded and counted, deadlines hold, and calls overlap up to their bound.
#include "adapters/outbox_drainer.hpp"

#include <doctest/doctest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <stdexcept>

#include "adapters/sandbox_sender.hpp"
#include "storage/bank/actions/bank_action_jobs.hpp"
#include "storage/bank/money/outbox.hpp"
#include "tests/support/vectors.hpp"

namespace {

namespace net = boost::asio;
using namespace hodi::storage;
using namespace std::chrono_literals;
using hodi::adapters::DrainerSettings;
using hodi::adapters::DrainPass;
using hodi::adapters::OutboxDrainer;
using hodi::adapters::SendOutcome;
using hodi::adapters::Senders;

const Seconds start{std::chrono::seconds{1'800'000'000}};
const std::string phone = "+254712345678";
constexpr std::chrono::seconds wait_limit{10};

enum class Trouble {
    none,
    retry,   ///< answers "retry later"
    throws,  ///< throws from inside the call
    hangs,   ///< waits an hour, but stops when cancelled
    late,    ///< ignores cancellation and answers after `hold`
};

// Answers like the sandbox (a leg succeeds 2 s after creation) unless told to make trouble on
// call number `fail_on_call` (1-based), or on every call when that is 0. Each call first waits
// `hold`, so calls can overlap. Runs on the drainer's strand: plain counters suffice.
class FakeSender final : public hodi::adapters::OutboxSender {
public:
    Trouble trouble = Trouble::none;
    std::size_t fail_on_call = 0;
    std::chrono::milliseconds hold{0};
    std::size_t calls = 0;
    std::size_t finished = 0;
    std::size_t in_flight = 0;
    std::size_t in_flight_seen = 0;

    net::awaitable<SendOutcome> send(OutboxRow row, Seconds now) override {
        const std::size_t call = ++calls;
        in_flight_seen = std::max(in_flight_seen, ++in_flight);
        const Trouble now_trouble =
            fail_on_call == 0 || call == fail_on_call ? trouble : Trouble::none;
        if (now_trouble == Trouble::late) {
            co_await net::this_coro::reset_cancellation_state(net::disable_cancellation());
        }
        const auto wait = now_trouble == Trouble::hangs ? std::chrono::milliseconds(1h) : hold;
        net::steady_timer timer(co_await net::this_coro::executor, wait);
        const auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        --in_flight;
        ++finished;
        if (ec) throw std::runtime_error("cancelled");
        switch (now_trouble) {
            case Trouble::retry: co_return SendOutcome::retry("503 Service Unavailable");
            case Trouble::throws: throw std::runtime_error("connection reset by peer");
            case Trouble::none:
            case Trouble::hangs:
            case Trouble::late: break;
        }
        co_return sandbox_.answer(row, now);
    }
    std::string_view name() const override { return "fake"; }

private:
    hodi::adapters::SandboxSender sandbox_{{.delay = 2'000ms}};
};

struct Bench {
    hodi::test::TempDir dir;
    net::io_context io;  // before the store: its last completions are posted here
    std::unique_ptr<Store> store = Store::open(StoreSettings{dir.path() / "hodi.db"}).value();
    std::shared_ptr<FakeSender> fake = std::make_shared<FakeSender>();
    Seconds now = start;

    OutboxDrainer drainer(DrainerSettings settings = {}) {
        return {io.get_executor(), *store, settings, Senders::all(fake), [this] { return now; }};
    }
    // A registered user's 500-shilling top-up: a pending transfer and its STK push row.
    void ask_topup(const std::string& id) {
        REQUIRE(store
                    ->write_now<User>([](Connection& db) {
                        return ensure_user(db, phone, hodi::engine::Language::en, start);
                    })
                    .has_value());
        REQUIRE(store
                    ->write_now<hodi::engine::ActionResult>(
                        mpesa_in_job(id, wallet_code(phone), 50'000, "topup", start))
                    .has_value());
    }
    std::int64_t queue_sms(const std::string& text) {
        return store
            ->write_now<std::int64_t>([text](Connection& db) {
                return enqueue_outbox(
                    db, {OutboxKind::sms, std::nullopt, phone, std::nullopt, text}, start);
            })
            .value();
    }
    void sql(const std::string& statement) {
        REQUIRE(store
                    ->write_now<bool>([statement](Connection& db) -> boost::system::result<bool> {
                        db.exec(statement);
                        return true;
                    })
                    .has_value());
    }
    OutboxRow leg(const std::string& id) {
        return store
            ->read_now<OutboxRow>([id](Connection& db) -> boost::system::result<OutboxRow> {
                return find_outbox_for_transfer(db, OutboxKind::stk_push, id).value().value();
            })
            .value();
    }
    OutboxRow row(std::int64_t id) {
        return store
            ->read_now<OutboxRow>([id](Connection& db) -> boost::system::result<OutboxRow> {
                return find_outbox(db, id).value().value();
            })
            .value();
    }
    TransferState transfer(const std::string& id) {
        return store
            ->read_now<TransferState>(
                [id](Connection& db) -> boost::system::result<TransferState> {
                    return find_transfer(db, id).value()->state;
                })
            .value();
    }
    // One pass; returns as soon as it does, even if a late sender is still busy.
    DrainPass pass(OutboxDrainer& drainer) {
        auto future = net::co_spawn(io, drainer.drain_once(), net::use_future);
        const auto deadline = std::chrono::steady_clock::now() + wait_limit;
        while (future.wait_for(0s) != std::future_status::ready) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            io.restart();
            io.run_one_for(10ms);
        }
        return future.get().value();
    }
};

}  // namespace

TEST_CASE("an outcome the store refuses to record is counted, and a later pass completes it") {
    // Goal: a record failure loses nothing. Method: a trigger makes the record step's UPDATE
    // fail; the pass counts it and the row keeps its lease; without the trigger, the pass after
    // the lease ends completes the leg once.
    Bench bench;
    bench.ask_topup("topup:1");
    bench.sql("CREATE TRIGGER refuse BEFORE UPDATE OF attempts ON outbox "
              "BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    bench.now = start + 1min;
    OutboxDrainer drainer = bench.drainer();
    DrainPass pass = bench.pass(drainer);
    CHECK(pass.claimed == 1);
    CHECK(pass.record_errors == 1);
    CHECK(pass.completed == 0);
    CHECK(drainer.counters().record_errors == 1);
    CHECK(bench.leg("topup:1").state == OutboxState::pending);
    CHECK(bench.leg("topup:1").attempts == 0);
    CHECK(bench.transfer("topup:1") == TransferState::pending);

    bench.sql("DROP TRIGGER refuse");
    bench.now = start + 1min + 59s;  // still leased
    CHECK(bench.pass(drainer).claimed == 0);
    bench.now = start + 2min;
    pass = bench.pass(drainer);
    CHECK(pass.completed == 1);
    CHECK(bench.fake->calls == 2);
    CHECK(bench.leg("topup:1").state == OutboxState::done);
    CHECK(bench.transfer("topup:1") == TransferState::posted);
    CHECK(drainer.counters().completed == 1);
}

TEST_CASE("a sender that throws leaves the leg for a status query, never failed") {
    // Goal: an exception may follow a request that reached M-Pesa, so it must not void the leg.
    // Method: the first call throws; the row is sent with the error kept; the next call, after
    // the backoff, completes it.
    Bench bench;
    bench.ask_topup("topup:1");
    bench.fake->trouble = Trouble::throws;
    bench.fake->fail_on_call = 1;
    bench.now = start + 1min;
    OutboxDrainer drainer = bench.drainer();
    const DrainPass pass = bench.pass(drainer);
    CHECK(pass.unknown == 1);
    CHECK(drainer.counters().threw == 1);
    OutboxRow row = bench.leg("topup:1");
    CHECK(row.state == OutboxState::sent);
    CHECK(row.attempts == 1);
    CHECK(row.last_error.find("connection reset by peer") != std::string::npos);
    CHECK(bench.transfer("topup:1") == TransferState::pending);
    bench.now = row.next_attempt_at;
    CHECK(bench.pass(drainer).completed == 1);
    CHECK(bench.transfer("topup:1") == TransferState::posted);
}

TEST_CASE("a sender that hangs costs its deadline, and the leg is kept for a status query") {
    // Goal: no sender blocks a pass. Method: the leg's call hangs for an hour, the SMS's does
    // not; a 50 ms deadline; the pass ends, the SMS is done, the leg is sent and unknown.
    Bench bench;
    bench.ask_topup("topup:1");
    const auto sms = bench.queue_sms("Salio: 500");
    bench.fake->trouble = Trouble::hangs;
    bench.fake->fail_on_call = 1;
    bench.now = start + 1min;
    OutboxDrainer drainer = bench.drainer({.send_deadline = 50ms});
    const DrainPass pass = bench.pass(drainer);
    CHECK(pass.completed == 1);
    CHECK(pass.unknown == 1);
    CHECK(drainer.counters().timed_out == 1);
    CHECK(bench.row(sms).state == OutboxState::done);
    CHECK(bench.leg("topup:1").state == OutboxState::sent);
    CHECK(bench.leg("topup:1").last_error == "no answer within the send deadline");
    CHECK(bench.transfer("topup:1") == TransferState::pending);
    bench.io.restart();
    bench.io.run_for(wait_limit);
    CHECK(bench.io.stopped());  // the cancelled call ended: nothing left behind
    CHECK(bench.fake->finished == 2);
}

TEST_CASE("a sender that ignores cancellation is not awaited, and its late answer is dropped") {
    // Goal: the deadline holds even for a sender that does not stop. Method: the call answers
    // "succeeded" 2 s late, ignoring cancellation; the pass is over before it does, and the
    // late word changes nothing.
    Bench bench;
    bench.ask_topup("topup:1");
    bench.fake->trouble = Trouble::late;
    bench.fake->hold = 2'000ms;
    bench.now = start + 1min;
    OutboxDrainer drainer = bench.drainer({.send_deadline = 50ms});
    const DrainPass pass = bench.pass(drainer);
    CHECK(pass.unknown == 1);
    CHECK(bench.fake->finished == 0);
    bench.io.restart();
    bench.io.run_for(wait_limit);
    CHECK(bench.fake->finished == 1);
    CHECK(bench.leg("topup:1").state == OutboxState::sent);
    CHECK(bench.transfer("topup:1") == TransferState::pending);
}

TEST_CASE("transient errors retry after a jittered backoff, then fail a leg never taken") {
    // Goal: retries are spaced and bounded, and only a leg the provider never took is voided.
    // Method: every call answers retry; attempts_max 2.
    Bench bench;
    bench.ask_topup("topup:1");
    bench.fake->trouble = Trouble::retry;
    bench.now = start + 1min;
    OutboxDrainer drainer = bench.drainer({.retry = {5s, 60s, 2}, .jitter_seed = 7});
    CHECK(bench.pass(drainer).retried == 1);
    const OutboxRow row = bench.leg("topup:1");
    CHECK(row.state == OutboxState::pending);
    CHECK(row.attempts == 1);
    CHECK(row.last_error == "503 Service Unavailable");
    CHECK(row.next_attempt_at >= bench.now + 2s);
    CHECK(row.next_attempt_at <= bench.now + 5s);
    bench.now = row.next_attempt_at - 1s;
    CHECK(bench.pass(drainer).claimed == 0);
    bench.now = row.next_attempt_at;
    CHECK(bench.pass(drainer).failed == 1);
    CHECK(bench.leg("topup:1").state == OutboxState::failed);
    CHECK(bench.transfer("topup:1") == TransferState::voided);
    CHECK(drainer.counters().retried == 1);
    CHECK(drainer.counters().failed == 1);
}

TEST_CASE("calls overlap up to in_flight_max and no further") {
    // Goal: a slow provider does not serialise a pass, and a pass does not flood it. Method:
    // five SMS whose calls take 20 ms each, at most two at once.
    Bench bench;
    for (int i = 0; i < 5; ++i) bench.queue_sms("Habari " + std::to_string(i));
    bench.fake->hold = 20ms;
    // A 1 s deadline keeps the longest pass (32 rounds of two) inside the 60 s lease.
    OutboxDrainer drainer = bench.drainer({.in_flight_max = 2, .send_deadline = 1s});
    const DrainPass pass = bench.pass(drainer);
    CHECK(pass.completed == 5);
    CHECK(bench.fake->calls == 5);
    CHECK(bench.fake->in_flight_seen == 2);
}

TEST_CASE("a pass completes the rows around one it cannot read, and counts that one") {
    // Goal: a corrupt row stops only itself. Method: two SMS, one with a kind set to garbage by
    // raw SQL; the other is delivered and the garbled one counted, never sent.
    Bench bench;
    const auto good = bench.queue_sms("Salio: 500");
    const auto bad = bench.queue_sms("Salio: 900");
    bench.sql("PRAGMA ignore_check_constraints = ON");
    bench.sql("UPDATE outbox SET kind = 'fax' WHERE id = " + std::to_string(bad));
    bench.sql("PRAGMA ignore_check_constraints = OFF");
    OutboxDrainer drainer = bench.drainer();
    const DrainPass pass = bench.pass(drainer);
    CHECK(pass.completed == 1);
    CHECK(pass.corrupt == 1);
    CHECK(drainer.counters().corrupt == 1);
    CHECK(bench.fake->calls == 1);
    CHECK(bench.row(good).state == OutboxState::done);
}
