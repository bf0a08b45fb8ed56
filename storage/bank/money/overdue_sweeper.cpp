// The overdue sweep's loop: small write jobs until a batch comes back short, then a wait.
#include "storage/bank/money/overdue_sweeper.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>

#include "storage/bank/money/loans.hpp"

namespace hodi::storage {

// The timer is touched on the strand only: by the loop, and by what stop() posts there.
struct OverdueSweeper::State {
    net::strand<net::any_io_executor> strand;
    Store* store;
    OverdueSweepSettings settings;
    Clock clock;
    net::steady_timer timer;
    std::atomic<bool> started{false};
    std::atomic<bool> stopped{false};
    std::atomic<std::uint64_t> sweeps{0};

    State(net::any_io_executor executor, Store& target, OverdueSweepSettings tuning, Clock time)
        : strand(net::make_strand(std::move(executor))),
          store(&target),
          settings(tuning),
          clock(std::move(time)),
          timer(strand) {}
};

namespace {

// A write job charging one batch of overdue borrowers.
DbFn<std::size_t> overdue_job(Seconds now, std::size_t users_max) {
    return [now, users_max](Connection& db) {
        return charge_all_overdue_penalties(db, now, users_max);
    };
}

// Charges every overdue borrower, a batch per job; a short batch means the book is done.
net::awaitable<void> sweep_book(std::shared_ptr<OverdueSweeper::State> state) {
    while (!state->stopped) {
        const std::size_t users_max = state->settings.users_per_job;
        auto charged =
            co_await state->store->write<std::size_t>(overdue_job(state->clock(), users_max));
        if (!charged) spdlog::warn("overdue sweep failed: {}", charged.error().message());
        if (!charged || *charged < users_max) co_return;
    }
}

net::awaitable<void> sweep_loop(std::shared_ptr<OverdueSweeper::State> state) {
    // After each co_await, stop() may have been called meanwhile: look again.
    while (!state->stopped) {
        co_await sweep_book(state);
        ++state->sweeps;
        if (state->stopped) co_return;
        state->timer.expires_after(state->settings.interval);
        const auto [ec] = co_await state->timer.async_wait(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
    }
}

}  // namespace

OverdueSweeper::OverdueSweeper(net::any_io_executor executor, Store& store,
                               OverdueSweepSettings settings, Clock clock)
    : state_(std::make_shared<State>(std::move(executor), store, settings, std::move(clock))) {}

OverdueSweeper::~OverdueSweeper() { stop(); }

void OverdueSweeper::start() {
    if (state_->started.exchange(true)) return;
    net::co_spawn(state_->strand, sweep_loop(state_), net::detached);
}

std::uint64_t OverdueSweeper::sweeps() const { return state_->sweeps; }

void OverdueSweeper::stop() {
    if (state_->stopped.exchange(true)) return;
    net::post(state_->strand, [state = state_] { state->timer.cancel(); });
}

}  // namespace hodi::storage
