// The default session store: sessions in this process's memory, each with a TTL, bounded in
// number. Lost on restart, which is fine for state that lives three minutes at most.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "storage/session_store.hpp"

namespace hodi::storage {

struct MemorySessionStoreSettings {
    // Beyond this sessions are evicted, oldest-saved first, and among them first those not in
    // progress (a first dial's, or an ended session's last reply): a flood of new dials cannot
    // push out subscribers halfway through a transaction.
    std::size_t max_sessions = 1'000'000;
    // Shards split the lock so network threads rarely wait on each other. The bound and the
    // "oldest" order hold per shard (max_sessions / shards each); tests use one shard to see
    // the exact order.
    std::size_t shards = 16;
    // Expired sessions are dropped lazily on load, and up to this many from the front of a
    // shard on each save, so memory does not fill with sessions nobody will ask for again.
    std::size_t purge_per_save_max = 4;
    // The time source; tests pass a fake clock to expire sessions without sleeping.
    std::function<engine::TimePoint()> clock = [] { return engine::Clock::now(); };
};

// Thread-safe: any number of threads may call load/save/erase at once (each shard has its own
// mutex, never held across a suspension: every operation completes without waiting).
class MemorySessionStore final : public SessionStore {
public:
    explicit MemorySessionStore(MemorySessionStoreSettings settings = {});

    net::awaitable<boost::system::result<std::optional<engine::Session>>> load(
        std::string session_id) override;
    net::awaitable<boost::system::error_code> save(engine::Session session,
                                                   std::chrono::seconds ttl) override;
    net::awaitable<boost::system::error_code> erase(std::string session_id) override;

    // The same operations without a coroutine, for tools and tests.
    std::optional<engine::Session> find(const std::string& session_id);
    void put(engine::Session session, std::chrono::seconds ttl);
    void remove(const std::string& session_id);

    std::size_t size() const;     ///< sessions held, expired ones not yet purged included
    std::size_t purge_expired();  ///< drops every expired session; returns how many

private:
    // A session's place in save order. It names the map's own key (map nodes never move) and
    // carries the expiry, so purging looks at the front without a lookup of a cold entry.
    struct Saved {
        const std::string* id;
        engine::TimePoint expires_at;
    };
    struct Entry {
        engine::Session session;
        std::list<Saved>::iterator order;  ///< position in Shard::order or Shard::fresh
        bool fresh = false;                ///< which of the two lists `order` is in
    };
    // Sessions in save order (oldest first) next to the map, so eviction and purge start at
    // the front without scanning: `fresh` holds those not in progress (one hop so far, or
    // ended), evicted before any in `order`.
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, Entry> entries;
        std::list<Saved> order;
        std::list<Saved> fresh;
        std::list<Saved>& list_of(const Entry& entry) { return entry.fresh ? fresh : order; }
    };

    Shard& shard_for(const std::string& session_id);
    void purge_front(Shard& shard, std::list<Saved>& list, engine::TimePoint now,
                     std::size_t limit);

    MemorySessionStoreSettings settings_;
    std::size_t shard_capacity_;
    std::unique_ptr<Shard[]> shards_;
};

}  // namespace hodi::storage
