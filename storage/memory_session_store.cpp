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

void MemorySessionStore::purge_front(Shard& shard, std::list<Saved>& list, engine::TimePoint now,
                                     std::size_t limit) {
    // The front is the least recently saved entry. With one TTL for every session it is also
    // the first to expire; with mixed TTLs this is amortised best effort and load() still
    // refuses anything expired.
    for (std::size_t purged = 0; purged < limit && !list.empty(); ++purged) {
        const Saved& oldest = list.front();
        if (oldest.expires_at > now) return;
        const auto found = shard.entries.find(*oldest.id);
        HODI_ASSERT(found != shard.entries.end());
        list.pop_front();
        shard.entries.erase(found);
    }
}

namespace {

// Not in progress: nothing is lost but a dial when it goes.
bool is_fresh(const engine::Session& session) {
    return session.hops <= 1 || session.last_reply.end;
}

}  // namespace

std::optional<engine::Session> MemorySessionStore::find(const std::string& session_id) {
    Shard& shard = shard_for(session_id);
    const engine::TimePoint now = settings_.clock();
    const std::lock_guard lock(shard.mutex);
    const auto found = shard.entries.find(session_id);
    if (found == shard.entries.end()) return std::nullopt;
    if (found->second.order->expires_at <= now) {
        shard.list_of(found->second).erase(found->second.order);
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
    purge_front(shard, shard.fresh, now, settings_.purge_per_save_max);
    purge_front(shard, shard.order, now, settings_.purge_per_save_max);
    const bool fresh = is_fresh(session);
    const auto found = shard.entries.find(session.id);
    if (found != shard.entries.end()) {
        Entry& entry = found->second;
        entry.session = std::move(session);
        entry.order->expires_at = expires_at;
        std::list<Saved>& from = shard.list_of(entry);
        entry.fresh = fresh;
        std::list<Saved>& to = shard.list_of(entry);
        to.splice(to.end(), from, entry.order);
        return;
    }
    if (shard.entries.size() >= shard_capacity_) {
        std::list<Saved>& victims = shard.fresh.empty() ? shard.order : shard.fresh;
        const auto oldest = shard.entries.find(*victims.front().id);
        victims.pop_front();
        shard.entries.erase(oldest);
    }
    std::string key = session.id;
    const auto added =
        shard.entries.emplace(std::move(key), Entry{std::move(session), {}, fresh}).first;
    std::list<Saved>& list = shard.list_of(added->second);
    list.push_back(Saved{&added->first, expires_at});
    added->second.order = std::prev(list.end());
}

void MemorySessionStore::remove(const std::string& session_id) {
    Shard& shard = shard_for(session_id);
    const std::lock_guard lock(shard.mutex);
    const auto found = shard.entries.find(session_id);
    if (found == shard.entries.end()) return;
    shard.list_of(found->second).erase(found->second.order);
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
            shard.list_of(entry->second).erase(entry->second.order);
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
