// RedisSessionStore against a real redis-server: save/load/erase, TTLs, bad values, caps.
#include "storage/redis_session_store.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <thread>

#include "storage/session_codec.hpp"
#include "tests/storage/redis_test_helpers.hpp"
#include "tests/support/redis_server.hpp"

namespace {

namespace net = boost::asio;
using hodi::engine::Session;
using hodi::storage::RedisSessionStore;
using hodi::storage::RedisSettings;
using hodi::storage::StoreError;
using hodi::test::RedisServer;
using hodi::test::run_to_completion;
using hodi::test::run_until;
using std::chrono::milliseconds;
using std::chrono::seconds;
using LoadResult = boost::system::result<std::optional<Session>>;

#define SKIP_WITHOUT_REDIS()                                \
    if (!RedisServer::available()) {                        \
        MESSAGE("redis-server is not installed; skipping"); \
        return;                                             \
    }

Session sample(std::string id) {
    Session session;
    session.id = std::move(id);
    session.phone = "+254712345678";
    session.node_id = "savings";
    session.variables = {{"amount", "500"}};
    session.hops = 3;
    return session;
}

net::awaitable<LoadResult> load(RedisSessionStore& store, std::string id) {
    co_return co_await store.load(std::move(id));
}
net::awaitable<boost::system::error_code> save(RedisSessionStore& store, Session session,
                                               seconds ttl) {
    co_return co_await store.save(std::move(session), ttl);
}
net::awaitable<boost::system::error_code> erase(RedisSessionStore& store, std::string id) {
    co_return co_await store.erase(std::move(id));
}

using Claimed = boost::system::result<hodi::storage::SessionStore::Claimed>;

// A claim as a hop holds it; `sent` left unknown unless given.
hodi::storage::SessionStore::Claim claim_by(
    std::string holder, milliseconds hold = milliseconds(10'000),
    std::chrono::steady_clock::time_point sent = std::chrono::steady_clock::time_point{}) {
    hodi::storage::SessionStore::Claim claim;
    claim.holder = std::move(holder);
    claim.hold = hold;
    claim.sent = sent;
    return claim;
}
net::awaitable<Claimed> claim_load(RedisSessionStore& store, std::string id,
                                   hodi::storage::SessionStore::Claim claim) {
    co_return co_await store.claim_and_load(std::move(id), std::move(claim));
}
net::awaitable<boost::system::error_code> save_unclaim(RedisSessionStore& store, Session session,
                                                       hodi::storage::SessionStore::Claim claim) {
    co_return co_await store.save_and_unclaim(std::move(session), seconds(180), std::move(claim));
}
net::awaitable<boost::system::error_code> unclaim(RedisSessionStore& store, std::string id,
                                                  std::string holder) {
    co_return co_await store.unclaim(std::move(id), std::move(holder));
}

// A store on a started server, with its io_context, connected before the test body runs.
struct Fixture {
    explicit Fixture(RedisSettings overrides = {}) {
        REQUIRE(server.start());
        overrides.port = server.port();
        overrides.reconnect_backoff_min = milliseconds(20);
        overrides.reconnect_backoff_max = milliseconds(500);
        store.emplace(context.get_executor(), overrides);
        REQUIRE(run_until(context, [this] { return store->ready(); }, milliseconds(2000)));
    }
    LoadResult load_id(std::string id) { return run_to_completion(context, load(*store, id)); }
    boost::system::error_code save_session(Session session, seconds ttl = seconds(180)) {
        return run_to_completion(context, save(*store, std::move(session), ttl));
    }
    boost::system::error_code erase_id(std::string id) {
        return run_to_completion(context, erase(*store, id));
    }
    RedisServer server;
    net::io_context context;
    std::optional<RedisSessionStore> store;
};

}  // namespace

TEST_CASE("a saved session loads back, and is gone after erase") {
    // Goal: the basic store contract holds on Redis. Method: save, load, erase, load; unknown
    // ids load as nullopt and erase without error; the key carries the configured prefix.
    SKIP_WITHOUT_REDIS();
    RedisSettings settings;
    settings.key_prefix = "t:s:";
    settings.connections = 2;
    Fixture fixture(settings);
    CHECK_FALSE(fixture.save_session(sample("ATUid_1")));
    CHECK(fixture.server.integer({"EXISTS", "t:s:ATUid_1"}) == 1);
    const LoadResult loaded = fixture.load_id("ATUid_1");
    REQUIRE(loaded.has_value());
    REQUIRE(loaded->has_value());
    CHECK((*loaded)->node_id == "savings");
    CHECK((*loaded)->variables.at("amount") == "500");
    CHECK((*loaded)->hops == 3);
    CHECK_FALSE(fixture.erase_id("ATUid_1"));
    const LoadResult erased = fixture.load_id("ATUid_1");
    REQUIRE(erased.has_value());
    CHECK_FALSE(erased->has_value());
    CHECK_FALSE(fixture.erase_id("never-saved"));
}

TEST_CASE("each save sets the TTL afresh") {
    // Goal: a session lives session_ttl after its LAST hop. Method: save with 180 s and read
    // PTTL; shorten it by hand; save again and see it back near 180 s.
    SKIP_WITHOUT_REDIS();
    Fixture fixture;
    REQUIRE_FALSE(fixture.save_session(sample("ttl"), seconds(180)));
    const long long first = fixture.server.integer({"PTTL", "hodi:s:ttl"});
    CHECK(first > 179000);
    CHECK(first <= 180000);
    REQUIRE(fixture.server.command({"PEXPIRE", "hodi:s:ttl", "5000"}) == ":1");
    REQUIRE_FALSE(fixture.save_session(sample("ttl"), seconds(180)));
    CHECK(fixture.server.integer({"PTTL", "hodi:s:ttl"}) > 179000);
}

TEST_CASE("a session is gone once its TTL passes") {
    // Goal: Redis expires sessions itself. Method: save with a 1 s TTL; it loads at once, and
    // loads as nullopt within 2.5 s (Redis owns this clock, so the wait is real but bounded).
    SKIP_WITHOUT_REDIS();
    Fixture fixture;
    REQUIRE_FALSE(fixture.save_session(sample("short"), seconds(1)));
    REQUIRE(fixture.load_id("short")->has_value());
    const auto started = std::chrono::steady_clock::now();
    bool expired = false;
    while (!expired && std::chrono::steady_clock::now() - started < milliseconds(2500)) {
        expired = !fixture.load_id("short")->has_value();
        if (!expired) std::this_thread::sleep_for(milliseconds(50));
    }
    CHECK(expired);
    CHECK(std::chrono::steady_clock::now() - started >= milliseconds(800));
}

TEST_CASE("a value that is not a session loads as corrupt, a foreign type as unavailable") {
    // Goal: bad bytes under our key are reported, never decoded into nonsense or a crash.
    // Method: put garbage and a truncated encoding under session keys, and a list under one.
    SKIP_WITHOUT_REDIS();
    Fixture fixture;
    REQUIRE(fixture.server.command({"SET", "hodi:s:garbage", "not a session"}) == "+OK");
    CHECK(fixture.load_id("garbage").error() == StoreError::corrupt);
    const std::string bytes = hodi::storage::encode_session(sample("cut"));
    REQUIRE(fixture.server.command({"SET", "hodi:s:cut", bytes.substr(0, bytes.size() - 3)}) ==
            "+OK");
    CHECK(fixture.load_id("cut").error() == StoreError::corrupt);
    REQUIRE(fixture.server.command({"RPUSH", "hodi:s:list", "x"}) == ":1");
    CHECK(fixture.load_id("list").error() == StoreError::unavailable);
}

TEST_CASE("a session bigger than the cap is refused and not stored") {
    // Goal: a runaway session cannot fill Redis. Method: cap at 256 bytes, save a session with a
    // 1000-character notice: value_too_large, and no key in Redis.
    SKIP_WITHOUT_REDIS();
    RedisSettings settings;
    settings.session_bytes_max = 256;
    Fixture fixture(settings);
    Session big = sample("big");
    big.notice.assign(1000, 'x');
    CHECK(fixture.save_session(big) == boost::system::errc::value_too_large);
    CHECK(fixture.server.integer({"EXISTS", "hodi:s:big"}) == 0);
    CHECK_FALSE(fixture.save_session(sample("small")));
}

TEST_CASE("the store is ready only while Redis is reachable, and fails fast when it is not") {
    // Goal: /readyz tells the truth and a hop never hangs on a dead Redis. Method: kill Redis;
    // ready() turns false, load and save fail with unavailable; restart; ready() within 2 s.
    SKIP_WITHOUT_REDIS();
    Fixture fixture;
    CHECK(fixture.store->ready());
    fixture.server.kill();
    REQUIRE(run_until(fixture.context, [&] { return !fixture.store->ready(); },
                      milliseconds(500)));
    CHECK(fixture.load_id("any").error() == StoreError::unavailable);
    CHECK(fixture.save_session(sample("any")) == StoreError::unavailable);
    REQUIRE(fixture.server.start());
    CHECK(run_until(fixture.context, [&] { return fixture.store->ready(); }, milliseconds(2000)));
    CHECK_FALSE(fixture.save_session(sample("any")));
}

TEST_CASE("a session is claimed by one hop at a time, across every store on the same Redis") {
    // Goal: two nodes never run hops of one session at once, and the claim costs no round trip
    // of its own. Method: claim-and-load from one store, then from a second store on the same
    // server; save-and-unclaim frees it; a wrong holder frees nothing; a claim whose holder
    // died expires after its hold.
    SKIP_WITHOUT_REDIS();
    Fixture a;
    RedisSettings settings;
    settings.port = a.server.port();
    net::io_context context_b;
    RedisSessionStore b(context_b.get_executor(), settings);
    REQUIRE(run_until(context_b, [&b] { return b.ready(); }, milliseconds(2000)));
    CHECK(a.store->shared());
    RedisSettings alone = settings;
    alone.claim_sessions = false;
    CHECK_FALSE(RedisSessionStore(context_b.get_executor(), alone).shared());
    const auto on_a = [&a](auto awaitable) {
        return run_to_completion(a.context, std::move(awaitable));
    };
    const auto on_b = [&context_b](auto awaitable) {
        return run_to_completion(context_b, std::move(awaitable));
    };
    const std::string claim_key = a.store->claim_key("ATUid_1");

    const Claimed first = on_a(claim_load(*a.store, "ATUid_1", claim_by("a:1")));
    REQUIRE(first.has_value());
    CHECK_FALSE(first->busy);
    CHECK_FALSE(first->session.has_value());  // nothing stored yet
    const Claimed second = on_b(claim_load(b, "ATUid_1", claim_by("b:1")));
    REQUIRE(second.has_value());
    CHECK(second->busy);
    const long long held = a.server.integer({"PTTL", claim_key});
    CHECK(held > 0);
    CHECK(held <= 10'000);
    // A claim asked for a moment ago cannot have expired: freed by a plain DEL, no script.
    a.server.command({"CONFIG", "RESETSTAT"});
    CHECK_FALSE(on_a(save_unclaim(*a.store, sample("ATUid_1"),
                                  claim_by("a:1", milliseconds(10'000),
                                           std::chrono::steady_clock::now()))));
    CHECK(a.server.integer({"EXISTS", claim_key}) == 0);
    const std::string stats = a.server.command({"INFO", "commandstats"});
    CHECK(stats.find("cmdstat_del") != std::string::npos);
    CHECK(stats.find("cmdstat_eval") == std::string::npos);

    const Claimed third = on_b(claim_load(b, "ATUid_1", claim_by("b:2")));
    REQUIRE(third.has_value());
    CHECK_FALSE(third->busy);
    REQUIRE(third->session.has_value());
    CHECK(third->session->hops == 3);  // the session the first hop saved
    CHECK_FALSE(on_a(unclaim(*a.store, "ATUid_1", "a:1")));  // not a:1's any more
    // Freeing a claim of unknown age checks its holder first: b:2's stays.
    CHECK_FALSE(on_a(save_unclaim(*a.store, sample("ATUid_1"), claim_by("a:1"))));
    CHECK(a.server.integer({"EXISTS", claim_key}) == 1);
    CHECK_FALSE(on_b(unclaim(b, "ATUid_1", "b:2")));
    CHECK(a.server.integer({"EXISTS", claim_key}) == 0);

    REQUIRE(on_a(claim_load(*a.store, "ATUid_3", claim_by("dead", milliseconds(50)))).has_value());
    CHECK(run_until(
        a.context,
        [&a] { return a.server.integer({"EXISTS", a.store->claim_key("ATUid_3")}) == 0; },
        milliseconds(2000)));
    const Claimed after = on_b(claim_load(b, "ATUid_3", claim_by("b:3")));
    REQUIRE(after.has_value());
    CHECK_FALSE(after->busy);
}
