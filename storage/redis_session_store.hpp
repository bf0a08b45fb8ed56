// Sessions in Redis, so that any number of hodi nodes can serve one shortcode: one key per
// session (<key_prefix><session_id>) holding session_codec bytes, with Redis's own TTL.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "storage/redis_client.hpp"
#include "storage/redis_settings.hpp"
#include "storage/session_store.hpp"

namespace hodi::storage {

// Thread-safe: every network thread may load and save at once; commands spread over a pool of
// settings.connections connections, each on its own strand of `executor` (or on `executor`
// itself when settings.one_thread).
class RedisSessionStore final : public SessionStore {
public:
    RedisSessionStore(const net::any_io_executor& executor, RedisSettings settings);

    // Fails with StoreError::corrupt when the stored bytes do not decode (another release's
    // format, or a foreign value under our prefix), and with unavailable/timeout as the client.
    net::awaitable<boost::system::result<std::optional<engine::Session>>> load(
        std::string session_id) override;

    // SET with PX: each hop saves, so each hop pushes expiry `ttl` into the future. A session
    // encoding to more than settings.session_bytes_max is refused with errc::value_too_large.
    net::awaitable<boost::system::error_code> save(engine::Session session,
                                                   std::chrono::seconds ttl) override;

    net::awaitable<boost::system::error_code> erase(std::string session_id) override;

    bool ready() const override { return pool_.connected(); }

    // Every node on the same Redis and prefix shares the sessions, so hops claim them (unless
    // RedisSettings::claim_sessions is off): a key beside the session's ("...#hop"), set only
    // if absent, expiring after the hold. The claim rides in the round trips of the hop's GET
    // and SET, pipelined with them, so it costs no round trip of its own. A claim is freed by
    // a plain DEL while it cannot have expired yet (within half its hold of being asked for),
    // and past that by a script that deletes it only if it is still this hop's.
    bool shared() const override { return settings_.claim_sessions; }
    net::awaitable<boost::system::result<Claimed>> claim_and_load(std::string session_id,
                                                                  Claim claim) override;
    net::awaitable<boost::system::error_code> save_and_unclaim(engine::Session session,
                                                               std::chrono::seconds ttl,
                                                               Claim claim) override;
    net::awaitable<boost::system::error_code> unclaim(std::string session_id,
                                                      std::string holder) override;

    std::string key(std::string_view session_id) const;
    std::string claim_key(std::string_view session_id) const { return key(session_id) + "#hop"; }
    RedisPool& pool() { return pool_; }

private:
    RedisSettings settings_;
    RedisPool pool_;
};

}  // namespace hodi::storage
