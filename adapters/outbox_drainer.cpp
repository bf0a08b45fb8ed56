// The sandbox outbox drainer: a coroutine loop that claims due rows through the Store's writer
// and completes them as the real providers would, minus the money.
#include "adapters/outbox_drainer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "storage/bank/money/outbox.hpp"

namespace hodi::adapters {

namespace {

using boost::system::result;
using storage::OutboxKind;
using storage::OutboxRow;
using storage::OutboxState;
using storage::Seconds;

// How long a claimed row stays out of other passes' reach while this pass handles it. A pass
// is one write job, so the lease only matters to a drainer that dies mid-pass.
constexpr std::chrono::seconds claim_lease{60};

// A sandbox leg that cannot complete as successful (its transfer was settled some other way)
// is completed as failed, so one odd row never blocks the rest.
void complete_leg(storage::Connection& db, const OutboxRow& row, Seconds now, DrainPass& pass) {
    if (row.transfer && storage::complete_outbox(db, row.id, true, "", "sandbox", now)) {
        ++pass.completed;
        return;
    }
    spdlog::warn("payments: sandbox {} row {} could not complete; failing it",
                 storage::to_string(row.kind), row.id);
    const std::string_view why = row.transfer ? "transfer already settled" : "no transfer";
    if (storage::complete_outbox(db, row.id, false, why, "sandbox", now)) ++pass.failed;
}

void handle_row(storage::Connection& db, const OutboxRow& row, Seconds now,
                std::chrono::seconds delay, DrainPass& pass) {
    if (row.kind == OutboxKind::sms) {
        // The text may hold balances: it is for the subscriber, never for info-level logs.
        spdlog::debug("sms: sandbox delivers to {}: {}", row.phone, row.payload);
        if (storage::complete_outbox(db, row.id, true, "", "sandbox", now)) ++pass.completed;
        return;
    }
    const Seconds complete_at = row.created_at + delay;
    if (row.state == OutboxState::pending && now < complete_at) {
        // Handed over: the sandbox "customer" answers the prompt at complete_at.
        if (storage::mark_outbox_sent(db, row.id, "sandbox-" + std::to_string(row.id),
                                      complete_at, now)) {
            ++pass.sent;
        }
        return;
    }
    complete_leg(db, row, now, pass);
}

storage::DbFn<DrainPass> sandbox_pass_job(Seconds now, std::chrono::seconds delay,
                                          std::size_t batch) {
    return [now, delay, batch](storage::Connection& db) -> result<DrainPass> {
        auto rows = storage::claim_due_outbox(db, now, batch, claim_lease);
        if (!rows) return rows.error();
        DrainPass pass;
        for (const OutboxRow& row : *rows) handle_row(db, row, now, delay, pass);
        auto open = storage::count_open_outbox(db);
        if (!open) return open.error();
        pass.pending = *open;
        return pass;
    };
}

}  // namespace

struct OutboxDrainer::State {
    State(net::any_io_executor executor, storage::Store& store_ref, DrainerSettings config,
          Clock now_fn)
        : strand(net::make_strand(std::move(executor))),
          timer(strand),
          store(store_ref),
          settings(config),
          clock(std::move(now_fn)) {}

    net::strand<net::any_io_executor> strand;
    net::steady_timer timer;  ///< touched on the strand only
    storage::Store& store;
    const DrainerSettings settings;
    const Clock clock;
    std::atomic<bool> started{false};
    std::atomic<bool> stopped{false};
    std::atomic<std::uint64_t> completed{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::int64_t> pending{0};
    std::atomic<std::uint64_t> passes{0};
    std::atomic<std::uint64_t> errors{0};
};

namespace {

net::awaitable<result<DrainPass>> run_pass(std::shared_ptr<OutboxDrainer::State> state) {
    const auto delay = std::chrono::ceil<std::chrono::seconds>(state->settings.sandbox_delay);
    auto pass = co_await state->store.write<DrainPass>(
        sandbox_pass_job(state->clock(), delay, state->settings.batch));
    if (!pass) {
        state->errors.fetch_add(1, std::memory_order_relaxed);
        spdlog::error("payments: outbox pass failed: {}", pass.error().message());
        co_return pass;
    }
    state->passes.fetch_add(1, std::memory_order_relaxed);
    state->completed.fetch_add(pass->completed, std::memory_order_relaxed);
    state->failed.fetch_add(pass->failed, std::memory_order_relaxed);
    state->pending.store(pass->pending, std::memory_order_relaxed);
    co_return pass;
}

net::awaitable<void> drain_loop(std::shared_ptr<OutboxDrainer::State> state) {
    while (!state->stopped.load()) {
        auto pass = co_await run_pass(state);
        if (state->stopped.load()) break;
        // A full batch means more rows are due: take them now rather than after a poll.
        if (pass && pass->sent + pass->completed + pass->failed >= state->settings.batch) {
            continue;
        }
        state->timer.expires_after(state->settings.poll);
        co_await state->timer.async_wait(net::as_tuple(net::use_awaitable));
    }
    spdlog::info("payments: outbox drainer stopped");
}

}  // namespace

OutboxDrainer::OutboxDrainer(net::any_io_executor executor, storage::Store& store,
                             DrainerSettings settings, Clock clock)
    : state_(std::make_shared<State>(std::move(executor), store, settings, std::move(clock))) {}

OutboxDrainer::~OutboxDrainer() { stop(); }

void OutboxDrainer::start() {
    if (state_->started.exchange(true)) return;
    spdlog::warn("payments: SANDBOX — no real money moves; every M-Pesa leg completes as "
                 "successful after {}s",
                 std::chrono::ceil<std::chrono::seconds>(state_->settings.sandbox_delay).count());
    net::co_spawn(state_->strand, drain_loop(state_), net::detached);
}

void OutboxDrainer::stop() {
    if (state_->stopped.exchange(true)) return;
    net::post(state_->strand, [state = state_] { state->timer.cancel(); });
}

DrainerCounters OutboxDrainer::counters() const {
    return {state_->completed.load(), state_->failed.load(), state_->pending.load(),
            state_->passes.load(), state_->errors.load()};
}

net::awaitable<result<DrainPass>> OutboxDrainer::drain_once() {
    return run_pass(state_);
}

}  // namespace hodi::adapters
