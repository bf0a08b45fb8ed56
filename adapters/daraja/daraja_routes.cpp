// Daraja's callback routes: admit, keep raw, acknowledge, then apply; and the recovery loop that
// applies what a crash left behind.
#include "adapters/daraja/daraja_routes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "adapters/daraja/callback_apply.hpp"

namespace hodi::adapters::daraja {

namespace {

using boost::system::result;
using storage::CallbackSource;

void add(std::atomic<std::uint64_t>& counter) { counter.fetch_add(1, std::memory_order_relaxed); }

// Daraja reads nothing of the reply but its status; SDKs answer this body, so hodi does too.
HttpReply json_reply(int status, std::string_view code, std::string_view description) {
    boost::json::object body;
    body["ResultCode"] = code;
    body["ResultDesc"] = description;
    return HttpReply{status, "application/json", boost::json::serialize(body)};
}

}  // namespace

struct DarajaCallbacks::State {
    State(net::any_io_executor executor, storage::Store& store_ref, Clock now_fn,
          CallbackRecoverySettings settings)
        : strand(net::make_strand(executor)),
          timer(strand),
          store(store_ref),
          clock(std::move(now_fn)),
          recovery(settings) {}

    net::strand<net::any_io_executor> strand;
    net::steady_timer timer;  ///< on the strand only
    storage::Store& store;
    const Clock clock;
    const CallbackRecoverySettings recovery;
    std::atomic<bool> started{false};
    std::atomic<bool> stopped{false};
    std::atomic<std::uint64_t> stored{0};
    std::atomic<std::uint64_t> refused{0};
    std::atomic<std::uint64_t> store_errors{0};
    std::atomic<std::uint64_t> applied{0};
    std::atomic<std::uint64_t> apply_errors{0};
};

namespace {

using State = DarajaCallbacks::State;

net::awaitable<void> apply_kept(std::shared_ptr<State> state, std::int64_t id) {
    auto fate = co_await state->store.write<storage::CallbackFate>(
        apply_callback_job(id, state->clock()));
    if (fate) {
        add(state->applied);
        co_return;
    }
    // Kept, so not lost: the recovery pass applies it later.
    add(state->apply_errors);
    spdlog::error("payments: applying callback {} failed: {}; the recovery pass retries it", id,
                  fate.error().message());
}

storage::DbFn<std::int64_t> keep_job(CallbackSource source, std::string key, std::string body,
                                     bool refused_shape, std::string problem,
                                     storage::Seconds now) {
    return [source, key = std::move(key), body = std::move(body), refused_shape,
            problem = std::move(problem), now](storage::Connection& db) -> result<std::int64_t> {
        auto id = storage::store_callback(db, source, key, body, now);
        if (!id || !refused_shape) return id;
        auto kept = storage::record_callback_fate(db, *id, storage::CallbackFate::refused,
                                                  problem, now);
        if (!kept) return kept.error();
        return id;
    };
}

net::awaitable<result<std::int64_t>> keep_on(std::shared_ptr<State> state, CallbackSource source,
                                            std::string key, std::string body, bool refused_shape,
                                            std::string problem) {
    auto id = co_await state->store.write<std::int64_t>(keep_job(
        source, std::move(key), std::move(body), refused_shape, std::move(problem),
        state->clock()));
    if (!id) {
        add(state->store_errors);
        co_return id;
    }
    if (refused_shape) {
        add(state->refused);
        co_return id;
    }
    add(state->stored);
    net::co_spawn(state->strand, apply_kept(state, *id), net::detached);
    co_return id;
}

net::awaitable<result<std::size_t>> recover_on(std::shared_ptr<State> state) {
    const storage::Seconds now = state->clock();
    auto applied = co_await state->store.write<std::size_t>(
        apply_unapplied_job(now - state->recovery.settle, state->recovery.batch, now));
    if (!applied) {
        spdlog::error("payments: recovering unapplied callbacks failed: {}",
                      applied.error().message());
    } else if (*applied > 0) {
        spdlog::warn("payments: applied {} callbacks a previous run had kept but not applied",
                     *applied);
    }
    co_return applied;
}

net::awaitable<void> recovery_loop(std::shared_ptr<State> state) {
    while (!state->stopped.load()) {
        co_await recover_on(state);
        if (state->stopped.load()) break;
        state->timer.expires_after(state->recovery.every);
        co_await state->timer.async_wait(net::as_tuple(net::use_awaitable));
    }
}

std::string_view route_name(CallbackSource source) { return storage::to_string(source); }

net::awaitable<HttpReply> handle_callback(std::shared_ptr<DarajaCallbacks> callbacks,
                                          std::shared_ptr<const CallbackGuard> guard,
                                          CallbackSource source, HttpRequest request,
                                          PathParams params) {
    if (const auto verdict = guard->check(request, params); verdict != CallbackVerdict::admit) {
        co_return refused_reply(verdict, "daraja", request);
    }
    CallbackKey key = callback_key(source, request.body);
    const bool refused_shape = !key.key.has_value();
    if (refused_shape && key.problem.empty()) key.problem = "unreadable";
    auto kept = co_await callbacks->keep(source, key.key.value_or(""), std::move(request.body),
                                         key.problem);
    if (!kept) {
        spdlog::error("payments: {} callback could not be kept: {}; answered 500 so Daraja "
                      "sends it again",
                      route_name(source), kept.error().message());
        co_return json_reply(500, "1", "Not kept; send again");
    }
    if (refused_shape) {
        spdlog::warn("payments: {} callback {} is not Daraja's shape: {}", route_name(source),
                     *kept, key.problem);
        co_return json_reply(400, "1", "Rejected: " + key.problem);
    }
    co_return json_reply(200, "0", "Accepted");
}

void add_route(Router& router, const std::shared_ptr<DarajaCallbacks>& callbacks,
               const std::shared_ptr<const CallbackGuard>& guard, std::string_view rest,
               CallbackSource source) {
    router.add(HttpMethod::post, guard->pattern("/daraja", rest),
               std::bind_front(handle_callback, callbacks, guard, source));
}

}  // namespace

DarajaCallbacks::DarajaCallbacks(net::any_io_executor executor, storage::Store& store,
                                 Clock clock, CallbackRecoverySettings recovery)
    : state_(std::make_shared<State>(std::move(executor), store, std::move(clock), recovery)) {}

DarajaCallbacks::~DarajaCallbacks() { stop(); }

void DarajaCallbacks::start() {
    if (state_->started.exchange(true)) return;
    net::co_spawn(state_->strand, recovery_loop(state_), net::detached);
}

void DarajaCallbacks::stop() {
    if (state_->stopped.exchange(true)) return;
    net::post(state_->strand, [state = state_] { state->timer.cancel(); });
}

net::awaitable<result<std::int64_t>> DarajaCallbacks::keep(CallbackSource source, std::string key,
                                                           std::string body, std::string refusal) {
    const bool refused_shape = !refusal.empty();
    return keep_on(state_, source, std::move(key), std::move(body), refused_shape,
                   std::move(refusal));
}

net::awaitable<result<std::size_t>> DarajaCallbacks::recover_once() {
    return net::co_spawn(state_->strand, recover_on(state_), net::use_awaitable);
}

CallbackCounters DarajaCallbacks::counters() const {
    const State& s = *state_;
    return {s.stored.load(), s.refused.load(), s.store_errors.load(), s.applied.load(),
            s.apply_errors.load()};
}

void add_daraja_routes(Router& router, std::shared_ptr<DarajaCallbacks> callbacks,
                       CallbackAuthSettings auth) {
    auto guard = std::make_shared<const CallbackGuard>(std::move(auth));
    add_route(router, callbacks, guard, "/stk", CallbackSource::stk);
    add_route(router, callbacks, guard, "/b2c/result", CallbackSource::b2c_result);
    add_route(router, callbacks, guard, "/b2c/timeout", CallbackSource::b2c_timeout);
    add_route(router, callbacks, guard, "/c2b/validation", CallbackSource::c2b_validation);
    add_route(router, callbacks, guard, "/c2b/confirmation", CallbackSource::c2b_confirmation);
    add_route(router, callbacks, guard, "/status/result", CallbackSource::status_result);
    add_route(router, callbacks, guard, "/status/timeout", CallbackSource::status_timeout);
}

}  // namespace hodi::adapters::daraja
