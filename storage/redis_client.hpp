// An asynchronous Redis client on Boost.Asio: hiredis for the protocol, Asio for the socket,
// its own command timeout, reconnection with backoff, and pipelining (concurrent commands
// share one connection and never wait for each other).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/redis_settings.hpp"

namespace hodi::storage {

namespace net = boost::asio;

class RedisConnection;

// One reply, copied out of hiredis so it outlives the callback that delivered it.
struct RedisReply {
    enum class Type : std::uint8_t { nil, status, error, integer, string, array };
    Type type = Type::nil;
    std::string text;                  ///< the status, error or string
    long long integer = 0;
    std::vector<RedisReply> elements;  ///< array elements

    bool is_error() const { return type == Type::error; }
    bool is_status(std::string_view expected) const {
        return type == Type::status && text == expected;
    }
};

// One connection to Redis, bound to its own strand. Thread-safe: command() may be awaited from
// any thread; the work runs on the client's strand and the result comes back to the caller.
// With RedisSettings::one_thread the connection runs on the executor itself, and command()
// must be awaited on that executor's one thread.
// Starts connecting when constructed and keeps reconnecting until destroyed.
class RedisClient {
public:
    RedisClient(const net::any_io_executor& executor, RedisSettings settings);
    ~RedisClient();
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;

    // Sends one command (binary-safe arguments) and awaits its reply. Fails with
    // StoreError::unavailable while disconnected or reconnecting (never queues for later), and
    // with StoreError::timeout when no reply comes within settings.command_timeout; a reply
    // that arrives later is discarded. Replies of type error are values, not failures.
    net::awaitable<boost::system::result<RedisReply>> command(std::vector<std::string> args);
    // Sends `commands` back to back in one write and awaits all their replies, in order: one
    // round trip for all. Fails as command() does when any reply is missing.
    net::awaitable<boost::system::result<std::vector<RedisReply>>> pipeline(
        std::vector<std::vector<std::string>> commands);

    // True while the connection is up and authenticated.
    bool connected() const;

private:
    bool one_thread_;
    std::shared_ptr<RedisConnection> connection_;
};

// A fixed set of clients sharing the work, so that load spreads over several connections and
// the strands of several threads (one thread: no strands). Thread-safe.
class RedisPool {
public:
    // `size` clients (at least one) on `executor`, each on its own strand unless
    // settings.one_thread.
    RedisPool(const net::any_io_executor& executor, std::size_t size, RedisSettings settings);

    // A connected client when there is one (round robin), else any client, which then fails
    // fast with StoreError::unavailable.
    RedisClient& next();
    bool connected() const;  ///< whether any client is connected
    std::size_t size() const { return clients_.size(); }
    RedisClient& at(std::size_t index) { return *clients_.at(index); }

private:
    std::vector<std::unique_ptr<RedisClient>> clients_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace hodi::storage
