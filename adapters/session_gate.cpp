// The per-session hop queue: a busy flag per session and its waiters, in shards.
#include "adapters/session_gate.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace hodi::adapters {

namespace {

constexpr std::size_t gate_shards = 16;

// A hop waiting for its session. Its timer expires at the hop's deadline; release() hands it
// the session by cancelling the timer, on the waiter's own executor (timers are not
// thread-safe).
struct Waiter {
    explicit Waiter(const net::any_io_executor& executor) : timer(executor) {}
    net::steady_timer timer;
    bool handed = false;  ///< the session is this waiter's now; guarded by its shard's mutex
};

struct Busy {
    std::deque<std::shared_ptr<Waiter>> waiters;  ///< first come, first served
};

struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Busy> sessions;  ///< those with a hop in flight
};

}  // namespace

struct SessionGate::State {
    std::array<Shard, gate_shards> shards;
    Shard& shard_for(const std::string& session_id) {
        return shards[std::hash<std::string>{}(session_id) % gate_shards];
    }
};

SessionGate::Pass::Pass(Pass&& other) noexcept
    : gate_(std::exchange(other.gate_, nullptr)), session_id_(std::move(other.session_id_)) {}

SessionGate::Pass& SessionGate::Pass::operator=(Pass&& other) noexcept {
    if (this != &other) {
        if (gate_ != nullptr) gate_->release(session_id_);
        gate_ = std::exchange(other.gate_, nullptr);
        session_id_ = std::move(other.session_id_);
    }
    return *this;
}

SessionGate::Pass::~Pass() {
    if (gate_ != nullptr) gate_->release(session_id_);
}

SessionGate::SessionGate() : state_(std::make_unique<State>()) {}
SessionGate::~SessionGate() = default;

std::optional<SessionGate::Pass> SessionGate::try_enter(const std::string& session_id) {
    Shard& shard = state_->shard_for(session_id);
    const std::lock_guard lock(shard.mutex);
    if (!shard.sessions.try_emplace(session_id).second) return std::nullopt;
    return Pass(this, session_id);
}

net::awaitable<std::optional<SessionGate::Pass>> SessionGate::enter(
    std::string session_id, std::chrono::steady_clock::time_point deadline) {
    Shard& shard = state_->shard_for(session_id);
    auto waiter = std::make_shared<Waiter>(co_await net::this_coro::executor);
    waiter->timer.expires_at(deadline);
    {
        const std::lock_guard lock(shard.mutex);
        const auto [busy, free] = shard.sessions.try_emplace(session_id);
        if (free) co_return Pass(this, std::move(session_id));
        busy->second.waiters.push_back(waiter);
    }
    co_await waiter->timer.async_wait(net::as_tuple(net::use_awaitable));
    const std::lock_guard lock(shard.mutex);
    // Handed over (the timer was cancelled), or handed over just as the deadline came: either
    // way the session is ours now and must be passed on in turn.
    if (waiter->handed) co_return Pass(this, std::move(session_id));
    auto& waiters = shard.sessions.at(session_id).waiters;
    std::erase(waiters, waiter);
    co_return std::nullopt;
}

void SessionGate::release(const std::string& session_id) {
    Shard& shard = state_->shard_for(session_id);
    const std::lock_guard lock(shard.mutex);
    const auto busy = shard.sessions.find(session_id);
    if (busy == shard.sessions.end()) return;
    auto& waiters = busy->second.waiters;
    if (waiters.empty()) {
        shard.sessions.erase(busy);
        return;
    }
    std::shared_ptr<Waiter> next = std::move(waiters.front());
    waiters.pop_front();
    next->handed = true;
    net::post(next->timer.get_executor(), [next] { next->timer.cancel(); });
}

std::size_t SessionGate::busy_sessions() const {
    std::size_t count = 0;
    for (Shard& shard : state_->shards) {
        const std::lock_guard lock(shard.mutex);
        count += shard.sessions.size();
    }
    return count;
}

}  // namespace hodi::adapters
