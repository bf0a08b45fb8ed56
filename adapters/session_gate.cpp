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
    std::unordered_map<std::uint64_t, Busy> sessions;  ///< those with a hop in flight
};

}  // namespace

struct SessionGate::State {
    std::array<Shard, gate_shards> shards;
    Shard& shard_for(std::uint64_t key) { return shards[key % gate_shards]; }
};

SessionGate::Pass::Pass(Pass&& other) noexcept
    : gate_(std::exchange(other.gate_, nullptr)), key_(other.key_) {}

SessionGate::Pass& SessionGate::Pass::operator=(Pass&& other) noexcept {
    if (this != &other) {
        if (gate_ != nullptr) gate_->release(key_);
        gate_ = std::exchange(other.gate_, nullptr);
        key_ = other.key_;
    }
    return *this;
}

SessionGate::Pass::~Pass() {
    if (gate_ != nullptr) gate_->release(key_);
}

std::uint64_t SessionGate::key_of(const std::string& session_id) {
    return std::hash<std::string>{}(session_id);
}

SessionGate::SessionGate() : state_(std::make_unique<State>()) {}
SessionGate::~SessionGate() = default;

std::optional<SessionGate::Pass> SessionGate::try_enter(const std::string& session_id) {
    const std::uint64_t key = key_of(session_id);
    Shard& shard = state_->shard_for(key);
    const std::lock_guard lock(shard.mutex);
    if (!shard.sessions.try_emplace(key).second) return std::nullopt;
    return Pass(this, key);
}

net::awaitable<std::optional<SessionGate::Pass>> SessionGate::enter(
    std::string session_id, std::chrono::steady_clock::time_point deadline) {
    const std::uint64_t key = key_of(session_id);
    Shard& shard = state_->shard_for(key);
    auto waiter = std::make_shared<Waiter>(co_await net::this_coro::executor);
    waiter->timer.expires_at(deadline);
    {
        const std::lock_guard lock(shard.mutex);
        const auto [busy, free] = shard.sessions.try_emplace(key);
        if (free) co_return Pass(this, key);
        busy->second.waiters.push_back(waiter);
    }
    co_await waiter->timer.async_wait(net::as_tuple(net::use_awaitable));
    const std::lock_guard lock(shard.mutex);
    // Handed over (the timer was cancelled), or handed over just as the deadline came: either
    // way the session is ours now and must be passed on in turn.
    if (waiter->handed) co_return Pass(this, key);
    auto& waiters = shard.sessions.at(key).waiters;
    std::erase(waiters, waiter);
    co_return std::nullopt;
}

void SessionGate::release(std::uint64_t key) {
    Shard& shard = state_->shard_for(key);
    const std::lock_guard lock(shard.mutex);
    const auto busy = shard.sessions.find(key);
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
