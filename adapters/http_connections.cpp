// Connection caps and idle eviction.
#include "adapters/http_connections.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/post.hpp>

namespace hodi::adapters {

namespace {

constexpr std::size_t descriptor_reserve = 64;
constexpr std::size_t derived_floor = 16;

void close_on_its_executor(const std::shared_ptr<ConnectionSlot>& slot) {
    boost::asio::post(slot->executor, [slot] {
        if (slot->shutdown) slot->shutdown();
    });
}

}  // namespace

std::size_t ConnectionRegistry::derived_max_total() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return 65'536;
    }
    const auto descriptors = static_cast<std::size_t>(limit.rlim_cur);
    return std::max(derived_floor, descriptors > descriptor_reserve
                                       ? descriptors - descriptor_reserve
                                       : derived_floor);
}

ConnectionRegistry::ConnectionRegistry(std::size_t max_total, std::size_t max_per_peer)
    : max_total_(max_total > 0 ? max_total : derived_max_total()), max_per_peer_(max_per_peer) {}

bool ConnectionRegistry::evict_locked(const boost::asio::ip::address* peer) {
    for (const auto& slot : slots_) {
        if (slot->evicted || slot->busy.load(std::memory_order_relaxed)) continue;
        if (peer != nullptr && slot->peer != *peer) continue;
        slot->evicted = true;
        close_on_its_executor(slot);
        return true;
    }
    return false;
}

std::optional<ConnectionRegistry::Slots::iterator> ConnectionRegistry::admit(
    std::shared_ptr<ConnectionSlot> slot) {
    const std::lock_guard lock(mutex_);
    std::size_t& from_peer = per_peer_[slot->peer];
    if (max_per_peer_ > 0 && from_peer >= max_per_peer_ && !evict_locked(&slot->peer)) {
        if (from_peer == 0) per_peer_.erase(slot->peer);
        return std::nullopt;
    }
    if (slots_.size() >= max_total_ && !evict_locked(nullptr)) {
        if (from_peer == 0) per_peer_.erase(slot->peer);
        return std::nullopt;
    }
    ++from_peer;
    slots_.push_back(std::move(slot));
    return std::prev(slots_.end());
}

bool ConnectionRegistry::remove(Slots::iterator slot) {
    const std::lock_guard lock(mutex_);
    const auto peer = per_peer_.find((*slot)->peer);
    if (peer != per_peer_.end() && --peer->second == 0) per_peer_.erase(peer);
    slots_.erase(slot);
    return slots_.empty();
}

bool ConnectionRegistry::evict_one_idle() {
    const std::lock_guard lock(mutex_);
    return evict_locked(nullptr);
}

void ConnectionRegistry::close_all(bool idle_only) {
    const std::lock_guard lock(mutex_);
    for (const auto& slot : slots_) {
        auto target = slot;
        boost::asio::post(slot->executor, [target, idle_only] {
            if (!target->shutdown || (idle_only && target->busy)) return;
            target->shutdown();
        });
    }
}

std::size_t ConnectionRegistry::size() const {
    const std::lock_guard lock(mutex_);
    return slots_.size();
}

}  // namespace hodi::adapters
