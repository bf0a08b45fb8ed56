// Claims of sessions in a shared store, retried until the hop's deadline.
#include "adapters/session_claim.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <optional>
#include <random>

namespace hodi::adapters {

namespace {

constexpr std::chrono::milliseconds first_pause{5};
constexpr std::chrono::milliseconds longest_pause{50};

std::string process_name() {
    std::random_device random;
    char name[17];
    std::snprintf(name, sizeof name, "%08x%08x", random(), random());
    return name;
}

}  // namespace

std::string next_claim_holder() {
    static const std::string process = process_name();
    static std::atomic<std::uint64_t> hops{0};
    return process + ':' + std::to_string(hops.fetch_add(1, std::memory_order_relaxed));
}

net::awaitable<boost::system::result<storage::SessionStore::Claimed>> claim_and_load_by(
    storage::SessionStore& store, std::string session_id, storage::SessionStore::Claim& claim,
    std::chrono::steady_clock::time_point deadline) {
    std::chrono::milliseconds pause = first_pause;
    std::optional<net::steady_timer> timer;
    for (;;) {
        claim.sent = std::chrono::steady_clock::now();
        auto claimed = co_await store.claim_and_load(session_id, claim);
        if (!claimed || !claimed->busy) co_return claimed;
        if (std::chrono::steady_clock::now() + pause >= deadline) co_return claimed;
        if (!timer) timer.emplace(co_await net::this_coro::executor);
        timer->expires_after(pause);
        co_await timer->async_wait(net::as_tuple(net::use_awaitable));
        pause = std::min(pause * 2, longest_pause);
    }
}

}  // namespace hodi::adapters
