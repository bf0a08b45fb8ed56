// The in-memory session store: sharded maps with per-entry expiry and oldest-first eviction.
#include "storage/memory_session_store.hpp"

#include "engine/assert.hpp"

namespace hodi::storage {

MemorySessionStore::MemorySessionStore(MemorySessionStoreSettings settings)
    : settings_(std::move(settings)) {
    HODI_ASSERT(settings_.shards > 0);
    HODI_ASSERT(settings_.max_sessions > 0);
    HODI_ASSERT(settings_.clock != nullptr);
    if (settings_.shards > settings_.max_sessions) settings_.shards = settings_.max_sessions;
    shard_capacity_ = (settings_.max_sessions + settings_.shards - 1) / settings_.shards;
    shards_ = std::make_unique<Shard[]>(settings_.shards);
    // Every shard's index is sized for its full capacity now (8 bytes a slot: 8 MB for a
    // million sessions), so a traffic ramp never pauses the I/O thread to rehash a shard that
    // holds tens of thousands of sessions.
    for (std::size_t index = 0; index < settings_.shards; ++index) {
        shards_[index].entries.reserve(shard_capacity_);
    }
}

MemorySessionStore::Shard& MemorySessionStore::shard_for(const std::string& session_id) {
    return shards_[std::hash<std::string>{}(session_id) % settings_.shards];
}

void MemorySessionStore::purge_front(Shard& shard, engine::TimePoint now, std::size_t limit) {
    // The front is the least recently saved entry. With one TTL for every session it is also
    // the first to expire; with mixed TTLs this is amortised best effort and load() still
    // refuses anything expired.
    for (std::size_t purged = 0; purged < limit && !shard.order.empty(); ++purged) {
        const Saved& oldest = shard.order.front();
        if (oldest.expires_at > now) return;
        const auto found = shard.entries.find(*oldest.id);
        HODI_ASSERT(found != shard.entries.end());
        shard.order.pop_front();
        shard.entries.erase(found);
    }
}

std::optional<engine::Session> MemorySessionStore::find(const std::string& session_id) {
    Shard& shard = shard_for(session_id);
    const engine::TimePoint now = settings_.clock();
    const std::lock_guard lock(shard.mutex);
    const auto found = shard.entries.find(session_id);
    if (found == shard.entries.end()) return std::nullopt;
    if (found->second.order->expires_at <= now) {
        shard.order.erase(found->second.order);
        shard.entries.erase(found);
        return std::nullopt;
    }
    return found->second.session;
}

void MemorySessionStore::put(engine::Session session, std::chrono::seconds ttl) {
    Shard& shard = shard_for(session.id);
    const engine::TimePoint now = settings_.clock();
    const engine::TimePoint expires_at = now + ttl;
    const std::lock_guard lock(shard.mutex);
    purge_front(shard, now, settings_.purge_per_save_max);
    const auto found = shard.entries.find(session.id);
    if (found != shard.entries.end()) {
        found->second.session = std::move(session);
        found->second.order->expires_at = expires_at;
        shard.order.splice(shard.order.end(), shard.order, found->second.order);
        return;
    }
    if (shard.entries.size() >= shard_capacity_) {
        const auto oldest = shard.entries.find(*shard.order.front().id);
        shard.order.pop_front();
        shard.entries.erase(oldest);
    }
    std::string key = session.id;
    const auto added = shard.entries.emplace(std::move(key), Entry{std::move(session), {}}).first;
    shard.order.push_back(Saved{&added->first, expires_at});
    added->second.order = std::prev(shard.order.end());
}

void MemorySessionStore::remove(const std::string& session_id) {
    Shard& shard = shard_for(session_id);
    const std::lock_guard lock(shard.mutex);
    const auto found = shard.entries.find(session_id);
    if (found == shard.entries.end()) return;
    shard.order.erase(found->second.order);
    shard.entries.erase(found);
}

std::size_t MemorySessionStore::size() const {
    std::size_t total = 0;
    for (std::size_t index = 0; index < settings_.shards; ++index) {
        const std::lock_guard lock(shards_[index].mutex);
        total += shards_[index].entries.size();
    }
    return total;
}

std::size_t MemorySessionStore::purge_expired() {
    const engine::TimePoint now = settings_.clock();
    std::size_t purged = 0;
    for (std::size_t index = 0; index < settings_.shards; ++index) {
        Shard& shard = shards_[index];
        const std::lock_guard lock(shard.mutex);
        for (auto entry = shard.entries.begin(); entry != shard.entries.end();) {
            if (entry->second.order->expires_at > now) {
                ++entry;
                continue;
            }
            shard.order.erase(entry->second.order);
            entry = shard.entries.erase(entry);
            ++purged;
        }
    }
    return purged;
}

net::awaitable<boost::system::result<std::optional<engine::Session>>> MemorySessionStore::load(
    std::string session_id) {
    co_return find(session_id);
}

net::awaitable<boost::system::error_code> MemorySessionStore::save(engine::Session session,
                                                                   std::chrono::seconds ttl) {
    put(std::move(session), ttl);
    co_return boost::system::error_code{};
}

net::awaitable<boost::system::error_code> MemorySessionStore::erase(std::string session_id) {
    remove(session_id);
    co_return boost::system::error_code{};
}

}  // namespace hodi::storage
