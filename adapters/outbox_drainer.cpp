// The outbox drainer: a coroutine loop of passes (claim, call the senders, record), each store
// step one job on the Store's writer, each provider call outside them.
#include "adapters/outbox_drainer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>
#include <random>
#include <set>

#include "adapters/outbox_calls.hpp"
#include "adapters/outbox_record.hpp"
#include "engine/assert.hpp"

namespace hodi::adapters {

namespace {

using boost::system::result;
using storage::OutboxRow;
using storage::Seconds;

std::uint32_t seed_or_random(std::uint32_t seed) {
    if (seed != 0) return seed;
    std::random_device device;
    return device();
}

}  // namespace

struct OutboxDrainer::State {
    State(net::any_io_executor executor, storage::Store& store_ref, DrainerSettings config,
          Senders by_kind, Clock now_fn)
        : strand(net::make_strand(std::move(executor))),
          timer(strand),
          store(store_ref),
          settings(config),
          senders(std::move(by_kind)),
          clock(std::move(now_fn)),
          jitter(seed_or_random(config.jitter_seed)) {}

    net::strand<net::any_io_executor> strand;
    net::steady_timer timer;  ///< touched on the strand only
    storage::Store& store;
    const DrainerSettings settings;
    const Senders senders;
    const Clock clock;
    std::minstd_rand jitter;  ///< touched on the strand only
    std::atomic<bool> started{false};
    std::atomic<bool> stopped{false};
    std::atomic<std::uint64_t> completed{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::int64_t> pending{0};
    std::atomic<std::uint64_t> passes{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> retried{0};
    std::atomic<std::uint64_t> unknown{0};
    std::atomic<std::uint64_t> timed_out{0};
    std::atomic<std::uint64_t> threw{0};
    std::atomic<std::uint64_t> record_errors{0};
    std::atomic<std::uint64_t> corrupt{0};
};

namespace {

void add(std::atomic<std::uint64_t>& counter, std::uint64_t amount) {
    counter.fetch_add(amount, std::memory_order_relaxed);
}

std::vector<Planned> plan_records(OutboxDrainer::State& state, const std::vector<OutboxRow>& rows,
                                  const std::vector<SendOutcome>& outcomes, Seconds now) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<Planned> plans;
    plans.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& sender = state.senders.for_kind(rows[i].kind);
        plans.push_back(plan_record(rows[i], outcomes[i], state.settings.retry, now,
                                    unit(state.jitter), std::string(sender->name())));
    }
    return plans;
}

void tally_record(OutboxDrainer::State& state, const RecordTally& tally, DrainPass& pass) {
    pass.sent = tally.sent;
    pass.completed = tally.completed;
    pass.failed = tally.failed;
    pass.retried = tally.retried;
    pass.unknown = tally.unknown;
    pass.record_errors = tally.record_errors;
    pass.pending = tally.open;
    add(state.sent, tally.sent);
    add(state.completed, tally.completed);
    add(state.failed, tally.failed);
    add(state.retried, tally.retried);
    add(state.unknown, tally.unknown);
    add(state.record_errors, tally.record_errors);
}

// Steps 2 and 3 of a pass: the calls, then one write job recording what came of them.
net::awaitable<DrainPass> call_and_record(std::shared_ptr<OutboxDrainer::State> state,
                                          std::vector<OutboxRow> rows, Seconds now,
                                          DrainPass pass) {
    const CallLimits limits{state->settings.in_flight_max, state->settings.send_deadline};
    CallResults calls = co_await call_senders(state->senders, rows, now, limits);
    add(state->timed_out, calls.tally.timed_out);
    add(state->threw, calls.tally.threw);
    // The calls took time: what they say is recorded, and rescheduled from, as of now.
    const Seconds recorded_at = state->clock();
    auto tally = co_await state->store.write<RecordTally>(
        record_job(plan_records(*state, rows, calls.outcomes, recorded_at),
                   state->settings.retry, recorded_at));
    if (tally) {
        tally_record(*state, *tally, pass);
        co_return pass;
    }
    // Nothing of this step was kept. The rows stay leased, so they come due again, and the
    // calls are repeated then: senders make that safe with outbox_request_id.
    pass.record_errors = rows.size();
    add(state->record_errors, rows.size());
    spdlog::error("outbox: recording {} outcomes failed: {}; the rows come due again when their "
                  "lease ends",
                  rows.size(), tally.error().message());
    co_return pass;
}

net::awaitable<result<DrainPass>> run_pass(std::shared_ptr<OutboxDrainer::State> state) {
    const Seconds now = state->clock();
    auto claimed = co_await state->store.write<Claimed>(
        claim_job(now, state->settings.batch,
                  std::chrono::ceil<std::chrono::seconds>(state->settings.claim_lease)));
    if (!claimed) {
        add(state->errors, 1);
        spdlog::error("payments: outbox pass failed: {}", claimed.error().message());
        co_return claimed.error();
    }
    DrainPass pass;
    pass.claimed = claimed->claim.rows.size();
    pass.corrupt = claimed->claim.corrupt.size();
    pass.pending = claimed->open;
    if (pass.corrupt > 0) {
        add(state->corrupt, pass.corrupt);
        spdlog::error("outbox: {} due rows cannot be read (first: row {}); left untouched for "
                      "the operator",
                      pass.corrupt, claimed->claim.corrupt.front());
    }
    if (pass.claimed > 0) {
        pass = co_await call_and_record(state, std::move(claimed->claim.rows), now, pass);
    }
    state->pending.store(pass.pending, std::memory_order_relaxed);
    add(state->passes, 1);
    co_return pass;
}

net::awaitable<void> drain_loop(std::shared_ptr<OutboxDrainer::State> state) {
    while (!state->stopped.load()) {
        auto pass = co_await run_pass(state);
        if (state->stopped.load()) break;
        // A full batch means more rows are due: take them now rather than after a poll.
        if (pass && pass->claimed >= state->settings.batch) continue;
        state->timer.expires_after(state->settings.poll);
        co_await state->timer.async_wait(net::as_tuple(net::use_awaitable));
    }
    spdlog::info("payments: outbox drainer stopped");
}

}  // namespace

OutboxDrainer::OutboxDrainer(net::any_io_executor executor, storage::Store& store,
                             DrainerSettings settings, Senders senders, Clock clock)
    : state_(std::make_shared<State>(std::move(executor), store, settings, std::move(senders),
                                     std::move(clock))) {
    HODI_ASSERT(state_->senders.stk_push && state_->senders.b2c && state_->senders.sms);
    HODI_ASSERT(settings.claim_lease > longest_pass(settings));
}

OutboxDrainer::~OutboxDrainer() { stop(); }

void OutboxDrainer::start() {
    if (state_->started.exchange(true)) return;
    const Senders& senders = state_->senders;
    spdlog::info("outbox: stk_push via {}, b2c via {}, sms via {}", senders.stk_push->name(),
                 senders.b2c->name(), senders.sms->name());
    const std::set<const OutboxSender*> distinct{senders.stk_push.get(), senders.b2c.get(),
                                                 senders.sms.get()};
    for (const OutboxSender* sender : distinct) {
        if (auto warning = sender->warning(); !warning.empty()) spdlog::warn("{}", warning);
    }
    net::co_spawn(state_->strand, drain_loop(state_), net::detached);
}

void OutboxDrainer::stop() {
    if (state_->stopped.exchange(true)) return;
    net::post(state_->strand, [state = state_] { state->timer.cancel(); });
}

DrainerCounters OutboxDrainer::counters() const {
    const State& s = *state_;
    return {s.completed.load(), s.failed.load(),    s.pending.load(),       s.passes.load(),
            s.errors.load(),    s.sent.load(),      s.retried.load(),       s.unknown.load(),
            s.timed_out.load(), s.threw.load(),     s.record_errors.load(), s.corrupt.load()};
}

net::awaitable<result<DrainPass>> OutboxDrainer::drain_once() {
    // The calls of a pass share bookkeeping with it: the pass runs on the strand, as the loop's do.
    return net::co_spawn(state_->strand, run_pass(state_), net::use_awaitable);
}

}  // namespace hodi::adapters
