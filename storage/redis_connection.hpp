// The machinery behind RedisClient: one hiredis async context driven by an Asio descriptor on
// its executor (a strand, or a one-thread server's own), the connect/handshake/reconnect state
// machine and the per-command timeouts.
// Internal to storage/; use RedisClient.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/redis_client.hpp"

struct redisAsyncContext;

namespace hodi::storage {

// Not thread-safe: every member runs on executor() (connected() excepted), a strand unless the
// whole server runs on one thread. Kept alive by the
// handlers it has pending, so it outlives its RedisClient until its socket and timers are done.
class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
public:
    RedisConnection(net::any_io_executor executor, RedisSettings settings);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    void start();  ///< begins connecting (posted to executor())
    void stop();   ///< closes for good (posted): pending commands fail with unavailable
    const net::any_io_executor& executor() const { return executor_; }
    bool connected() const { return connected_.load(std::memory_order_acquire); }

    // Sends `commands` back to back and awaits every reply; must run on executor().
    static net::awaitable<boost::system::result<std::vector<RedisReply>>> run_commands(
        std::shared_ptr<RedisConnection> self, std::vector<std::vector<std::string>> commands);

private:
    enum class State : std::uint8_t {
        idle,         ///< waiting to (re)connect
        resolving,    ///< looking up settings.host
        connecting,   ///< TCP connect in progress
        handshaking,  ///< AUTH / SELECT sent, not yet answered
        connected,
        stopped,      ///< stop() was called or the connection is being destroyed
    };
    // Commands sent together awaiting their replies. Shared by the awaiting coroutine and
    // hiredis, which holds a heap-allocated shared_ptr per command as privdata and always calls
    // back exactly once per command (with the reply, or with null when the context is freed),
    // so a reply arriving after the timeout still finds live memory. Redis answers a
    // connection's commands in order, so replies arrive in the order they were sent.
    struct PendingCommand {
        PendingCommand(const net::any_io_executor& executor, std::size_t count)
            : timer(executor), awaited(count) {
            replies.reserve(count);
        }
        net::steady_timer timer;  ///< the timeout; cancelled early when the last reply arrives
        std::vector<RedisReply> replies;
        std::size_t awaited;  ///< replies still to come
        bool lost = false;    ///< the connection went down before every reply came
    };

    void begin_connect();
    void on_resolved(const boost::system::error_code& error,
                     const net::ip::tcp::resolver::results_type& results, std::uint64_t attempt);
    void connect_to(const std::string& address);
    void on_connect_timeout(std::uint64_t attempt);
    void begin_handshake();
    void become_connected();
    void fail_attempt(const std::string& reason);
    void schedule_reconnect();
    void shut_down();
    void on_context_freed();
    bool send(const std::vector<std::string>& args, const std::shared_ptr<PendingCommand>& pending);

    void watch_read();
    void watch_write();
    void on_readable(const boost::system::error_code& error, std::uint64_t attempt);
    void on_writable(const boost::system::error_code& error, std::uint64_t attempt);

    // hiredis hooks and callbacks; `data` is the RedisConnection.
    static void add_read(void* data);
    static void del_read(void* data);
    static void add_write(void* data);
    static void del_write(void* data);
    static void cleanup(void* data);
    static void on_connected(const redisAsyncContext* context, int status);
    static void on_handshake_reply(redisAsyncContext* context, void* reply, void* data);
    static void on_command_reply(redisAsyncContext* context, void* reply, void* data);

    net::any_io_executor executor_;
    RedisSettings settings_;
    net::ip::tcp::resolver resolver_;
    net::steady_timer connect_timer_;
    net::steady_timer reconnect_timer_;
    std::optional<net::posix::stream_descriptor> socket_;
    redisAsyncContext* context_ = nullptr;  ///< owned; freed by hiredis on error or by us
    State state_ = State::idle;
    std::atomic<bool> connected_{false};
    std::uint64_t attempt_ = 0;  ///< tells stale socket and timer completions from current ones
    std::chrono::milliseconds backoff_;
    std::size_t in_flight_ = 0;
    int handshake_replies_ = 0;
    bool want_read_ = false;     ///< hiredis wants read readiness
    bool want_write_ = false;    ///< hiredis wants write readiness
    bool read_waiting_ = false;  ///< an async_wait for reading is pending
    bool write_waiting_ = false;
    bool down_logged_ = false;   ///< the outage was logged once; quiet until reconnected
    std::string wire_buffer_;    ///< the command send() is formatting, reused
};

}  // namespace hodi::storage
