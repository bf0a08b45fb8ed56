// RedisClient against a real redis-server: round trips, pipelining, timeouts, outages.
#include "storage/redis_client.hpp"

#include <doctest/doctest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/session_store.hpp"
#include "tests/storage/redis_test_helpers.hpp"
#include "tests/support/redis_server.hpp"

namespace {

namespace net = boost::asio;
using hodi::storage::RedisClient;
using hodi::storage::RedisReply;
using hodi::storage::RedisSettings;
using hodi::storage::StoreError;
using hodi::test::RedisServer;
using hodi::test::run_to_completion;
using hodi::test::run_until;
using Reply = boost::system::result<RedisReply>;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

#define SKIP_WITHOUT_REDIS()                                   \
    if (!RedisServer::available()) {                           \
        MESSAGE("redis-server is not installed; skipping");    \
        return;                                                \
    }

RedisSettings settings_for(const RedisServer& server) {
    RedisSettings settings;
    settings.port = server.port();
    settings.reconnect_backoff_min = milliseconds(20);
    settings.reconnect_backoff_max = milliseconds(500);
    return settings;
}

net::awaitable<Reply> send(RedisClient& client, std::vector<std::string> args) {
    co_return co_await client.command(std::move(args));
}

Reply run_command(net::io_context& context, RedisClient& client, std::vector<std::string> args,
                  milliseconds limit = std::chrono::seconds(10)) {
    return run_to_completion(context, send(client, std::move(args)), limit);
}

// The server's total_connections_received, counting the connection that asks.
long long connections_received(const RedisServer& server) {
    const std::string info = server.command({"INFO", "stats"});
    constexpr std::string_view field = "total_connections_received:";
    const auto at = info.find(field);
    REQUIRE(at != std::string::npos);
    return std::stoll(info.substr(at + field.size()));
}

// Outside the coroutine: g++ 12 miscompiles a braced list of strings inside one.
std::vector<std::string> incr_counter() { return {"INCR", "counter"}; }

// Sends `count` INCRs at once and records each reply at its issue index.
net::awaitable<void> increment(RedisClient& client, std::vector<long long>& replies,
                               std::size_t index, std::vector<std::size_t>& finish_order) {
    const Reply reply = co_await client.command(incr_counter());
    replies[index] = reply && reply->type == RedisReply::Type::integer ? reply->integer : -1;
    finish_order.push_back(index);
}

}  // namespace

TEST_CASE("commands round-trip binary-safe values and every reply type through Redis") {
    // Goal: the client speaks RESP faithfully. Method: SET/GET bytes with NUL and CRLF, and read
    // status, error, integer, nil and array replies from a real server.
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    REQUIRE(server.start());
    net::io_context context;
    RedisClient client(context.get_executor(), settings_for(server));
    REQUIRE(run_until(context, [&] { return client.connected(); }, milliseconds(2000)));

    const std::string value("a\0b\r\nc", 6);
    const Reply set = run_command(context, client, {"SET", "bytes", value});
    REQUIRE(set.has_value());
    CHECK(set->is_status("OK"));
    const Reply get = run_command(context, client, {"GET", "bytes"});
    REQUIRE(get.has_value());
    CHECK(get->type == RedisReply::Type::string);
    CHECK(get->text == value);
    CHECK(run_command(context, client, {"GET", "missing"})->type == RedisReply::Type::nil);
    CHECK(run_command(context, client, {"INCRBY", "n", "41"})->integer == 41);
    const Reply error = run_command(context, client, {"NOSUCHCOMMAND"});
    REQUIRE(error.has_value());
    CHECK(error->is_error());
    CHECK(error->text.find("unknown command") != std::string::npos);
    const Reply array = run_command(context, client, {"MGET", "bytes", "missing"});
    REQUIRE(array.has_value());
    REQUIRE(array->elements.size() == 2);
    CHECK(array->elements[0].text == value);
    CHECK(array->elements[1].type == RedisReply::Type::nil);
}

// Outside the coroutine: g++ 12 miscompiles a braced list of strings inside one.
std::vector<std::vector<std::string>> mixed_pipeline() {
    return {{"SET", "k", "v"}, {"GET", "k"}, {"INCR", "n"}, {"NOSUCHCOMMAND"}};
}

net::awaitable<boost::system::result<std::vector<RedisReply>>> send_pipeline(
    RedisClient& client) {
    co_return co_await client.pipeline(mixed_pipeline());
}

TEST_CASE("a pipeline answers each of its commands in order, on a strand or on one thread") {
    // Goal: the claim and the load (or the save and the unclaim) travel together and each reads
    // its own answer. Method: four commands of four reply types in one pipeline, with the
    // connection on a strand and on the caller's own thread; then with Redis stopped, the
    // whole pipeline fails with timeout instead of returning part of its answers.
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    REQUIRE(server.start());
    for (const bool one_thread : {false, true}) {
        CAPTURE(one_thread);
        net::io_context context;
        RedisSettings settings = settings_for(server);
        settings.one_thread = one_thread;
        settings.command_timeout = milliseconds(200);
        RedisClient client(context.get_executor(), settings);
        REQUIRE(run_until(context, [&] { return client.connected(); }, milliseconds(2000)));
        const auto replies = run_to_completion(context, send_pipeline(client));
        REQUIRE(replies.has_value());
        REQUIRE(replies->size() == 4);
        CHECK((*replies)[0].is_status("OK"));
        CHECK((*replies)[1].text == "v");
        CHECK((*replies)[2].type == RedisReply::Type::integer);
        CHECK((*replies)[3].is_error());
        server.pause();
        const auto stalled = run_to_completion(context, send_pipeline(client));
        server.resume();
        REQUIRE_FALSE(stalled.has_value());
        CHECK(stalled.error() == make_error_code(StoreError::timeout));
    }
}

TEST_CASE("concurrent commands share one connection and each gets its own reply in order") {
    // Goal: pipelining: commands do not wait for each other and replies are matched in order.
    // Method: start 2000 INCRs at once on one client; the i-th issued must read i+1, and the
    // server must have seen a single connection from the client.
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    REQUIRE(server.start());
    net::io_context context;
    // Ordering is under test, not timeouts: 2000 commands queued at once on a sanitizer build
    // take longer than the default 200 ms to drain, so the last ones must not time out.
    RedisSettings settings = settings_for(server);
    settings.command_timeout = milliseconds(10'000);
    RedisClient client(context.get_executor(), settings);
    REQUIRE(run_until(context, [&] { return client.connected(); }, milliseconds(2000)));

    const long long connections_before = connections_received(server);
    constexpr std::size_t count = 2000;
    std::vector<long long> replies(count, 0);
    std::vector<std::size_t> finish_order;
    const auto started = Clock::now();
    for (std::size_t index = 0; index < count; ++index) {
        net::co_spawn(context, increment(client, replies, index, finish_order), net::detached);
    }
    REQUIRE(run_until(context, [&] { return finish_order.size() == count; },
                      milliseconds(5000)));
    const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    MESSAGE(count << " pipelined INCRs in " << elapsed.count() << " ms");
    for (std::size_t index = 0; index < count; ++index) {
        CHECK_MESSAGE(replies[index] == static_cast<long long>(index + 1), "command " << index);
    }
    CHECK(server.command({"GET", "counter"}) == "$" + std::to_string(count));
    // Only the two admin connections above arrived since the INCRs began: all 2000 used one.
    CHECK(connections_received(server) == connections_before + 2);
}

TEST_CASE("a command Redis does not answer in time fails with timeout and the client recovers") {
    // Goal: a slow Redis costs a hop at most command_timeout, and late replies are discarded
    // safely (ASan watches the callback). Method: DEBUG SLEEP 1 through the client, then a PING
    // queued behind it; both time out near 200 ms; once Redis wakes, commands work again and
    // each gets its own reply, not a late one.
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    REQUIRE(server.start());
    net::io_context context;
    RedisSettings settings = settings_for(server);
    settings.command_timeout = milliseconds(200);
    RedisClient client(context.get_executor(), settings);
    REQUIRE(run_until(context, [&] { return client.connected(); }, milliseconds(2000)));

    auto started = Clock::now();
    const Reply sleeping = run_command(context, client, {"DEBUG", "SLEEP", "1"});
    auto elapsed = Clock::now() - started;
    REQUIRE(sleeping.has_error());
    CHECK(sleeping.error() == StoreError::timeout);
    CHECK(elapsed >= milliseconds(190));
    CHECK(elapsed < milliseconds(600));

    started = Clock::now();
    const Reply queued = run_command(context, client, {"PING"});
    CHECK(queued.error() == StoreError::timeout);
    CHECK(Clock::now() - started < milliseconds(600));

    // Redis owns this clock: poll until it answers again, bounded well past the 1 s sleep.
    bool answered = false;
    REQUIRE(run_until(context, [&] {
        const Reply echo = run_command(context, client, {"ECHO", "awake"});
        answered = echo && echo->text == "awake";
        return answered;
    }, milliseconds(3000)));
    const Reply after = run_command(context, client, {"ECHO", "mine"});
    REQUIRE(after.has_value());
    CHECK(after->text == "mine");
    CHECK(client.connected());
}

TEST_CASE("with Redis killed commands fail fast, and the client reconnects once it returns") {
    // Goal: an outage never hangs a hop and heals by itself. Method: a blocking BLPOP is in
    // flight when Redis is SIGKILLed; it and later commands fail with unavailable within
    // 300 ms; Redis restarts on the same port and the client is back within 2 s.
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    REQUIRE(server.start());
    net::io_context context;
    RedisSettings settings = settings_for(server);
    settings.command_timeout = milliseconds(5000);
    RedisClient client(context.get_executor(), settings);
    REQUIRE(run_until(context, [&] { return client.connected(); }, milliseconds(2000)));

    std::optional<Reply> blocked;
    net::co_spawn(context, send(client, {"BLPOP", "nothing", "10"}),
                  [&blocked](std::exception_ptr, Reply reply) { blocked = std::move(reply); });
    context.run_for(milliseconds(50));
    CHECK_FALSE(blocked.has_value());
    server.kill();
    auto started = Clock::now();
    REQUIRE(run_until(context, [&] { return blocked.has_value(); }, milliseconds(300)));
    CHECK(blocked->error() == StoreError::unavailable);
    REQUIRE(run_until(context, [&] { return !client.connected(); }, milliseconds(300)));

    started = Clock::now();
    const Reply down = run_command(context, client, {"PING"});
    CHECK(down.error() == StoreError::unavailable);
    CHECK(Clock::now() - started < milliseconds(100));

    REQUIRE(server.start());
    started = Clock::now();
    CHECK(run_until(context, [&] { return client.connected(); }, milliseconds(2000)));
    MESSAGE("reconnected " << std::chrono::duration_cast<milliseconds>(Clock::now() - started)
                                  .count()
                           << " ms after Redis returned");
    const Reply back = run_command(context, client, {"PING"});
    REQUIRE(back.has_value());
    CHECK(back->is_status("PONG"));
}

TEST_CASE("a client with a password and database authenticates and selects on every connect") {
    // Goal: AUTH and SELECT are redone after a reconnect, and a wrong password never yields a
    // half-usable connection. Method: a server requiring a password; a client with the wrong
    // one stays unavailable; a right one works in db 2, and still does after a restart.
    SKIP_WITHOUT_REDIS();
    RedisServer server("p@ss word");
    REQUIRE(server.start());
    net::io_context context;
    RedisSettings wrong = settings_for(server);
    wrong.password = "nope";
    RedisClient refused(context.get_executor(), wrong);
    RedisSettings right = settings_for(server);
    right.password = "p@ss word";
    right.db = 2;
    RedisClient client(context.get_executor(), right);
    REQUIRE(run_until(context, [&] { return client.connected(); }, milliseconds(2000)));
    CHECK_FALSE(refused.connected());
    CHECK(run_command(context, refused, {"PING"}).error() == StoreError::unavailable);

    for (int round = 0; round < 2; ++round) {
        const Reply info = run_command(context, client, {"CLIENT", "INFO"});
        REQUIRE_MESSAGE(info.has_value(), info.error().message());
        CHECK(info->text.find(" db=2 ") != std::string::npos);
        server.stop();
        REQUIRE(run_until(context, [&] { return !client.connected(); }, milliseconds(1000)));
        REQUIRE(server.start());
        REQUIRE(run_until(context, [&] { return client.connected(); }, milliseconds(2000)));
    }
    CHECK_FALSE(refused.connected());
}

TEST_CASE("a client started before Redis connects as soon as Redis comes up") {
    // Goal: hodi may start before Redis. Method: a client on a port with nothing listening is
    // unavailable; the server starts; the client connects within 2 s.
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    net::io_context context;
    RedisClient client(context.get_executor(), settings_for(server));
    context.run_for(milliseconds(100));
    CHECK_FALSE(client.connected());
    CHECK(run_command(context, client, {"PING"}).error() == StoreError::unavailable);
    REQUIRE(server.start());
    CHECK(run_until(context, [&] { return client.connected(); }, milliseconds(2000)));
}
