// How hodi reaches Redis for sessions: address, credentials, key layout, timeouts and caps,
// plus the parser for the "redis://" URLs that operators write in HODI_REDIS_URL.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace hodi::storage {

struct RedisSettings {
    std::string host = "127.0.0.1";  ///< name or address; names are resolved asynchronously
    unsigned short port = 6379;
    int db = 0;                      ///< SELECTed on every (re)connect when not 0
    std::string username;            ///< ACL user (Redis 6+); empty means AUTH with password only
    std::string password;            ///< AUTH on every (re)connect when not empty
    std::string key_prefix = "hodi:s:";  ///< session keys are <key_prefix><session_id>
    /// A command not answered within this fails with StoreError::timeout. A hop does a load and
    /// a save, so two of these must fit well inside the hop budget.
    std::chrono::milliseconds command_timeout{200};
    /// A connection attempt (TCP, AUTH, SELECT) not done within this is abandoned and retried.
    std::chrono::milliseconds connect_timeout{1000};
    /// Waits between reconnection attempts double from min up to max after each failure.
    std::chrono::milliseconds reconnect_backoff_min{50};
    std::chrono::milliseconds reconnect_backoff_max{1000};
    /// An encoded session larger than this is refused instead of saved: sessions are small
    /// (a few hundred bytes), so a bigger one is a bug that must not fill Redis.
    std::size_t session_bytes_max = 16 * 1024;
    /// Commands awaiting an answer on one connection; beyond this new commands fail at once
    /// with StoreError::unavailable instead of queueing behind a stalled server.
    std::size_t commands_in_flight_max = 4096;
    /// Connections to Redis; the server uses one per network thread. 0 means one.
    std::size_t connections = 1;
    /// Each hop claims its session in Redis, so that hops of one session never run on two
    /// nodes at once (an AT retry a load balancer sends elsewhere waits for the hop in flight).
    /// A deployment of one node may turn it off: its own gate is enough, and the claim costs
    /// 5-15% of the hop rate with Redis (bench/README.md).
    bool claim_sessions = true;
    /// Set by the server when every caller runs on one thread of the executor's io_context:
    /// commands then run inline on it, without a strand to hop through.
    bool one_thread = false;
};

// Reads "redis://[[user]:password@]HOST[:PORT][/DB]" into `base` (keeping its other fields).
// Throws std::invalid_argument with a message naming the bad part: URLs are read at startup
// only, where a bad one must stop hodi with a clear reason.
RedisSettings parse_redis_url(std::string_view url, RedisSettings base = {});

}  // namespace hodi::storage
