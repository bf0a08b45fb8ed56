// The in-memory session store: TTL with a passed clock, the size bound, thread safety.
#include "storage/memory_session_store.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace hodi::storage {

namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand.
struct FakeClock {
    std::shared_ptr<std::atomic<engine::TimePoint::rep>> ticks =
        std::make_shared<std::atomic<engine::TimePoint::rep>>(0);
    std::function<engine::TimePoint()> function() const {
        return [ticks = ticks] { return engine::TimePoint(engine::TimePoint::duration(*ticks)); };
    }
    void advance(std::chrono::seconds by) const {
        *ticks += std::chrono::duration_cast<engine::TimePoint::duration>(by).count();
    }
};

engine::Session session(std::string id, std::string node = "main") {
    engine::Session value;
    value.id = std::move(id);
    value.phone = "+254712345678";
    value.node_id = std::move(node);
    return value;
}

}  // namespace

TEST_CASE("a stored session lives exactly its TTL") {
    // Goal: expiry follows the TTL without sleeping. Method: save with 180 s, move a fake clock
    // to just before and just after.
    FakeClock clock;
    MemorySessionStore store({.clock = clock.function()});
    store.put(session("a"), 180s);
    clock.advance(179s);
    REQUIRE(store.find("a").has_value());
    CHECK(store.find("a")->node_id == "main");
    clock.advance(1s);
    CHECK_FALSE(store.find("a").has_value());
    CHECK(store.size() == 0);
}

TEST_CASE("saving again replaces the session and renews its TTL") {
    // Goal: each hop extends the session. Method: save, advance, save a new node, advance past
    // the first expiry.
    FakeClock clock;
    MemorySessionStore store({.clock = clock.function()});
    store.put(session("a"), 60s);
    clock.advance(50s);
    store.put(session("a", "account"), 60s);
    clock.advance(50s);
    REQUIRE(store.find("a").has_value());
    CHECK(store.find("a")->node_id == "account");
    CHECK(store.size() == 1);
    store.remove("a");
    store.remove("never-there");
    CHECK_FALSE(store.find("a").has_value());
}

TEST_CASE("the oldest session is evicted at the size bound") {
    // Goal: memory stays bounded. Method: one shard of three; a fourth save evicts the least
    // recently saved, and re-saving protects a session.
    FakeClock clock;
    MemorySessionStore store({.max_sessions = 3, .shards = 1, .clock = clock.function()});
    store.put(session("a"), 180s);
    store.put(session("b"), 180s);
    store.put(session("c"), 180s);
    store.put(session("a"), 180s);  // now b is the oldest
    store.put(session("d"), 180s);
    CHECK(store.size() == 3);
    CHECK_FALSE(store.find("b").has_value());
    CHECK(store.find("a").has_value());
    CHECK(store.find("c").has_value());
    CHECK(store.find("d").has_value());
}

TEST_CASE("a flood of new dials at the bound evicts dials, never sessions in progress") {
    // Goal: 6,000 new sessions a second once pushed live sessions out, oldest first. Method: a
    // bound of four holding two sessions in progress (hops 3) saved first, then a stream of
    // one-hop dials: the dials evict each other; the sessions in progress stay, and an ended
    // session's kept reply goes before them too.
    FakeClock clock;
    MemorySessionStore store({.max_sessions = 4, .shards = 1, .clock = clock.function()});
    for (const char* id : {"busy-1", "busy-2"}) {
        engine::Session busy = session(id);
        busy.hops = 3;
        store.put(std::move(busy), 180s);
    }
    for (int dial = 0; dial < 100; ++dial) {
        engine::Session fresh = session("dial-" + std::to_string(dial));
        fresh.hops = 1;
        store.put(std::move(fresh), 180s);
    }
    CHECK(store.size() == 4);
    CHECK(store.find("busy-1").has_value());
    CHECK(store.find("busy-2").has_value());
    CHECK(store.find("dial-99").has_value());
    CHECK_FALSE(store.find("dial-0").has_value());
    // A dial that goes on to its second hop is in progress from then on.
    engine::Session second = session("dial-99");
    second.hops = 2;
    store.put(std::move(second), 180s);
    engine::Session ended = session("busy-1");  // its END: only the last reply is kept
    ended.hops = 5;
    ended.last_reply.end = true;
    store.put(std::move(ended), 30s);
    for (int dial = 100; dial < 103; ++dial) {
        engine::Session fresh = session("dial-" + std::to_string(dial));
        fresh.hops = 1;
        store.put(std::move(fresh), 180s);
    }
    CHECK(store.find("busy-2").has_value());
    CHECK(store.find("dial-99").has_value());
    CHECK_FALSE(store.find("busy-1").has_value());  // an ended session goes before them
    CHECK(store.size() == 4);
}

TEST_CASE("expired sessions are purged without being asked for") {
    // Goal: sessions nobody returns to do not hold memory. Method: save many, expire them, then
    // one save purges from the front and purge_expired() takes the rest.
    FakeClock clock;
    MemorySessionStore store({.shards = 1, .purge_per_save_max = 4, .clock = clock.function()});
    for (int index = 0; index < 10; ++index) store.put(session(std::to_string(index)), 10s);
    clock.advance(11s);
    store.put(session("fresh"), 10s);
    CHECK(store.size() == 7);
    CHECK(store.purge_expired() == 6);
    CHECK(store.size() == 1);
}

TEST_CASE("the coroutine interface loads what it saved") {
    // Goal: the SessionStore contract works through awaitables. Method: save, load and erase
    // on an io_context.
    MemorySessionStore store;
    net::io_context io;
    auto saved = net::co_spawn(io, store.save(session("a"), 180s), net::use_future);
    auto loaded = net::co_spawn(io, store.load("a"), net::use_future);
    io.run();
    CHECK_FALSE(saved.get());
    const auto result = loaded.get();
    REQUIRE(result.has_value());
    REQUIRE(result->has_value());
    CHECK((*result)->id == "a");
    io.restart();
    auto erased = net::co_spawn(io, store.erase("a"), net::use_future);
    io.run();
    CHECK_FALSE(erased.get());
    CHECK_FALSE(store.find("a").has_value());
    CHECK(store.ready());
}

TEST_CASE("many threads can save, load and erase at once") {
    // Goal: the store is thread-safe under the sanitizers. Method: 4 threads x 2000 operations
    // on overlapping ids with a small bound; every load sees a whole session or none.
    MemorySessionStore store({.max_sessions = 64, .shards = 4});
    std::atomic<int> torn{0};
    std::vector<std::thread> threads;
    for (int thread = 0; thread < 4; ++thread) {
        threads.emplace_back([&store, &torn, thread] {
            for (int index = 0; index < 2000; ++index) {
                const std::string id = std::to_string((index * 7 + thread) % 100);
                store.put(session(id, "node" + id), 60s);
                if (const auto found = store.find(id); found && found->node_id != "node" + id) {
                    ++torn;
                }
                if (index % 5 == 0) store.remove(id);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(torn == 0);
    CHECK(store.size() <= 64);
}

}  // namespace hodi::storage
