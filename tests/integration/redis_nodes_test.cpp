// Two `hodi serve` processes sharing one real redis-server: sessions move between nodes hop by
// hop, expire across nodes, and survive Redis outages and stalls without a hang or a crash.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/vectors.hpp"

namespace {

using hodi::adapters::HttpClient;
using hodi::adapters::HttpClientSettings;
using hodi::test::ChildProcess;
using hodi::test::RedisServer;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

#define SKIP_WITHOUT_REDIS()                                \
    if (!RedisServer::available()) {                        \
        MESSAGE("redis-server is not installed; skipping"); \
        return;                                             \
    }

std::string source_dir() {
    const char* dir = std::getenv("HODI_SOURCE_DIR");
    return dir != nullptr ? dir : ".";
}

// One hodi node on its own loopback port, with sessions in `redis`.
class Node {
public:
    Node(const RedisServer& redis, const std::string& name, std::vector<std::string> env = {})
        : port_(hodi::test::free_loopback_port()),
          log_(std::filesystem::temp_directory_path() /
               ("hodi-redis-" + name + "-" + std::to_string(port_) + ".log")) {
        env.push_back("HODI_SESSIONS=redis");
        env.push_back("HODI_REDIS_URL=" + redis.url());
        env.push_back("HODI_MENU=" + source_dir() + "/menus/hodi.yaml");
        env.push_back("HODI_SANDBOX_LISTEN=127.0.0.1:0");
        env.push_back("HODI_THREADS=2");
        env.push_back("HODI_LOG_LEVEL=warn");
        // Sessions are under test here, not money: fixed-data actions keep every caller
        // registered and leave no bank behind.
        env.push_back("HODI_ACTIONS=demo");
        process_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{HODI_BINARY, "serve", "--listen",
                                     "127.0.0.1:" + std::to_string(port_)},
            std::move(env), log_);
    }
    ~Node() {
        process_->stop();
        std::error_code ignored;
        std::filesystem::remove(log_, ignored);
    }

    unsigned short port() const { return port_; }
    bool alive() { return process_->running(); }
    std::string log() const {
        return std::filesystem::exists(log_) ? hodi::test::read_file(log_) : std::string();
    }
    // True once /readyz answers 200 (listening, Redis connected), polling up to `limit`.
    bool wait_ready(milliseconds limit = milliseconds(5000)) {
        const auto deadline = Clock::now() + limit;
        HttpClient client("127.0.0.1", port_,
                          HttpClientSettings{.request_timeout = milliseconds(500)});
        while (Clock::now() < deadline) {
            const auto reply = client.get("/readyz");
            if (reply && reply->status == 200) return true;
            client.close();
            std::this_thread::sleep_for(milliseconds(20));
        }
        return false;
    }
    int readyz() {
        HttpClient client("127.0.0.1", port_,
                          HttpClientSettings{.request_timeout = milliseconds(1000)});
        const auto reply = client.get("/readyz");
        return reply ? reply->status : 0;
    }

private:
    unsigned short port_;
    std::filesystem::path log_;
    std::unique_ptr<ChildProcess> process_;
};

// One AT hop: the reply body, or "" when the request failed outright.
std::string hop(HttpClient& client, const std::string& session_id, const std::string& text,
                const std::string& phone = "+254712345678") {
    const std::string body = hodi::adapters::form_encode({{"sessionId", session_id},
                                                          {"serviceCode", "*384*1234#"},
                                                          {"phoneNumber", phone},
                                                          {"networkCode", "63902"},
                                                          {"text", text}});
    const auto reply = client.post_form("/ussd/at", body);
    if (!reply || reply->status != 200) return "";
    return reply->body;
}

bool is_con(const std::string& reply) { return reply.rfind("CON ", 0) == 0; }
bool is_end(const std::string& reply) { return reply.rfind("END ", 0) == 0; }

// The AT `text` of each hop of a walk: the demo PIN, into the menu and back out, home (which
// needs no PIN again: the session keeps its proof), and in again; a dialog stops at its END.
const std::vector<std::string> walk = {
    "",           "1234",          "1234*1",          "1234*1*0",
    "1234*1*0*2", "1234*1*0*2*00", "1234*1*0*2*00*1", "1234*1*0*2*00*1*1"};

// Runs `walk` for `session_id`, sending hop i to clients[i % clients.size()].
std::vector<std::string> dialog(std::vector<HttpClient*> clients, const std::string& session_id) {
    std::vector<std::string> replies;
    for (std::size_t index = 0; index < walk.size(); ++index) {
        replies.push_back(hop(*clients[index % clients.size()], session_id, walk[index]));
        if (!is_con(replies.back())) break;
    }
    return replies;
}

}  // namespace

TEST_CASE("two nodes sharing Redis continue each other's sessions hop by hop") {
    // Goal: any node can serve any hop. Method: walk the same path once on node A alone and once
    // alternating A, B, A, ...; every screen must match, and the walk must really advance.
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    REQUIRE(redis.start());
    Node a(redis, "a");
    Node b(redis, "b");
    REQUIRE(a.wait_ready());
    REQUIRE(b.wait_ready());
    HttpClient to_a("127.0.0.1", a.port());
    HttpClient to_b("127.0.0.1", b.port());

    const auto alone = dialog({&to_a}, "ATUid_alone00000000000000000000001");
    const auto shared = dialog({&to_a, &to_b}, "ATUid_shared0000000000000000000001");
    REQUIRE(alone.size() == walk.size());
    CHECK(alone[0] != alone[1]);  // the walk moved on, so a lost session would show
    CHECK(alone.back().starts_with("END Wallet balance"));  // the proof crossed every hop
    REQUIRE(shared.size() == alone.size());
    for (std::size_t index = 0; index < alone.size(); ++index) {
        CHECK_MESSAGE(shared[index] == alone[index], "hop " << index);
    }
    const std::string live = "ATUid_live00000000000000000000001";
    REQUIRE(is_con(hop(to_b, live, "")));
    CHECK(redis.integer({"EXISTS", "hodi:s:" + live}) == 1);
    CHECK(redis.integer({"PTTL", "hodi:s:" + live}) > 0);
    CHECK(a.alive());
    CHECK(b.alive());
}

TEST_CASE("a session that expired in Redis is not resumed on the other node") {
    // Goal: Redis's TTL is the session timeout for every node. Method: nodes with a 1 s session
    // timeout; hop 1 on A; once Redis drops the key, hop 2 on B must not continue the walk.
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    REQUIRE(redis.start());
    Node a(redis, "a", {"HODI_SESSION_TIMEOUT=1"});
    Node b(redis, "b", {"HODI_SESSION_TIMEOUT=1"});
    REQUIRE(a.wait_ready());
    REQUIRE(b.wait_ready());
    HttpClient to_a("127.0.0.1", a.port());
    HttpClient to_b("127.0.0.1", b.port());

    const std::string fresh = "ATUid_fresh0000000000000000000001";
    REQUIRE(is_con(hop(to_a, fresh, "")));
    const std::string continued = hop(to_b, fresh, "1");
    REQUIRE(is_con(continued));

    const std::string old = "ATUid_expire000000000000000000001";
    REQUIRE(is_con(hop(to_a, old, "")));
    // Redis owns this clock: poll the key, bounded, rather than guess a sleep.
    const auto deadline = Clock::now() + milliseconds(3000);
    while (redis.integer({"EXISTS", "hodi:s:" + old}) == 1 && Clock::now() < deadline) {
        std::this_thread::sleep_for(milliseconds(50));
    }
    REQUIRE(redis.integer({"EXISTS", "hodi:s:" + old}) == 0);
    const std::string after = hop(to_b, old, "1");
    CHECK((is_con(after) || is_end(after)));
    CHECK(after != continued);
}

TEST_CASE("a hop waits while a hop on another node holds its session, and runs once freed") {
    // Goal: one hop at a time per session across nodes: an AT retry that a load balancer sends
    // to another node must not step the session beside the hop in flight. Method: hold the
    // session's claim in Redis as another node's hop would; a hop on A waits, runs when the
    // claim is freed, and gives up with the service END at its budget if it never is.
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    REQUIRE(redis.start());
    Node a(redis, "a", {"HODI_HOP_BUDGET=1500ms"});
    REQUIRE(a.wait_ready());
    HttpClient to_a("127.0.0.1", a.port());
    const std::string session = "ATUid_claim000000000000000000001";
    const std::string claim = "hodi:s:" + session + "#hop";
    REQUIRE(is_con(hop(to_a, session, "")));
    CHECK(redis.integer({"EXISTS", claim}) == 0);  // a hop frees its claim when it ends

    CHECK(redis.command({"SET", claim, "another-node:1", "PX", "10000"}) == "+OK");
    const auto started = Clock::now();
    std::thread freer([&redis, &claim] {
        std::this_thread::sleep_for(milliseconds(400));  // the other node's hop takes a while
        redis.integer({"DEL", claim});
    });
    const std::string waited = hop(to_a, session, "1234");
    const auto took = Clock::now() - started;
    freer.join();
    CHECK(waited.starts_with("CON Welcome to hodi"));
    CHECK(took >= milliseconds(350));

    CHECK(redis.command({"SET", claim, "another-node:2", "PX", "10000"}) == "+OK");
    const std::string gave_up = hop(to_a, session, "1234*1");
    CHECK(is_end(gave_up));
    CHECK(redis.command({"GET", claim}) == "$another-node:2");  // never taken from its holder
    CHECK(a.alive());
}

namespace {

// What the simulated subscribers saw, shared by their threads.
struct Tally {
    std::atomic<int> hops{0};
    std::atomic<int> malformed{0};  ///< replies without CON/END, or no reply at all
    std::atomic<int> slow{0};       ///< replies later than 2 s
    std::atomic<int> service_ends{0};
    std::atomic<long long> last_failure_ns{0};   ///< when the last END-on-first-hop was seen
    std::atomic<long long> first_success_ns{0};  ///< first CON after `watch_from_ns`
    std::atomic<long long> watch_from_ns{0};
    std::atomic<bool> stop{false};
};

long long now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

// One subscriber: dials again and again, alternating nodes hop by hop, until told to stop.
void subscriber(int number, unsigned short port_a, unsigned short port_b, Tally& tally) {
    const HttpClientSettings settings{.request_timeout = milliseconds(5000)};
    HttpClient to_a("127.0.0.1", port_a, settings);
    HttpClient to_b("127.0.0.1", port_b, settings);
    HttpClient* clients[] = {&to_a, &to_b};
    for (int round = 0; !tally.stop.load(); ++round) {
        const std::string session_id =
            "ATUid_s" + std::to_string(number) + "r" + std::to_string(round);
        for (std::size_t index = 0; index < walk.size() && !tally.stop.load(); ++index) {
            const auto started = Clock::now();
            const std::string reply = hop(*clients[(index + number) % 2], session_id, walk[index],
                                          "+2547100000" + std::to_string(10 + number));
            const auto elapsed = Clock::now() - started;
            ++tally.hops;
            if (elapsed > milliseconds(2000)) ++tally.slow;
            if (!is_con(reply) && !is_end(reply)) ++tally.malformed;
            const long long watch_from = tally.watch_from_ns.load();
            if (is_con(reply) && watch_from != 0 && now_ns() > watch_from) {
                long long expected = 0;
                tally.first_success_ns.compare_exchange_strong(expected, now_ns());
            }
            if (!is_con(reply)) {
                if (is_end(reply)) ++tally.service_ends;
                break;
            }
        }
    }
}

}  // namespace

TEST_CASE("killing and restarting Redis under load never hangs, garbles or crashes a node") {
    // Goal: a Redis outage costs subscribers an END, never a hang, a bad reply or a crash, and
    // the nodes serve again within 2 s of Redis returning. Method: 8 subscribers walk menus
    // across two nodes; Redis is SIGKILLed for 1.5 s and restarted on the same port.
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    REQUIRE(redis.start());
    Node a(redis, "a");
    Node b(redis, "b");
    REQUIRE(a.wait_ready());
    REQUIRE(b.wait_ready());

    Tally tally;
    std::vector<std::thread> subscribers;
    for (int number = 0; number < 8; ++number) {
        subscribers.emplace_back(subscriber, number, a.port(), b.port(), std::ref(tally));
    }
    std::this_thread::sleep_for(milliseconds(1000));
    const int hops_before = tally.hops.load();
    redis.kill();
    std::this_thread::sleep_for(milliseconds(500));
    CHECK(a.readyz() == 503);
    std::this_thread::sleep_for(milliseconds(1000));
    const int service_ends_during = tally.service_ends.load();
    REQUIRE(redis.start());
    const long long restarted_ns = now_ns();
    tally.watch_from_ns = restarted_ns;
    std::this_thread::sleep_for(milliseconds(3000));
    tally.stop = true;
    for (auto& thread : subscribers) thread.join();

    const long long first = tally.first_success_ns.load();
    MESSAGE("hops " << tally.hops.load() << " (" << hops_before << " before the kill), "
                    << service_ends_during << " ENDs by the outage, serving again "
                    << (first - restarted_ns) / 1'000'000 << " ms after Redis returned");
    CHECK(hops_before > 0);
    CHECK(tally.malformed.load() == 0);
    CHECK(tally.slow.load() == 0);
    REQUIRE(first != 0);
    CHECK(first - restarted_ns < 2'000'000'000LL);
    CHECK_MESSAGE(a.alive(), "node a's log:\n" << a.log());
    CHECK_MESSAGE(b.alive(), "node b's log:\n" << b.log());
    CHECK(a.readyz() == 200);
    CHECK(b.readyz() == 200);
}

TEST_CASE("a Redis stalled past the command timeout gets an END quickly, then service resumes") {
    // Goal: a slow Redis costs a hop at most about two command timeouts, not AT's 15 s. Method:
    // command timeout 200 ms; DEBUG SLEEP 2 stalls Redis; a hop must END within 1 s; after the
    // stall a new dialog gets CON again.
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    REQUIRE(redis.start());
    Node a(redis, "a", {"HODI_REDIS_COMMAND_TIMEOUT=200ms"});
    REQUIRE(a.wait_ready());
    HttpClient to_a("127.0.0.1", a.port());
    REQUIRE(is_con(hop(to_a, "ATUid_before", "")));

    std::thread staller([&redis] { redis.command({"DEBUG", "SLEEP", "2"}, milliseconds(5000)); });
    std::this_thread::sleep_for(milliseconds(100));  // lets the stall begin; Redis owns it
    const auto started = Clock::now();
    const std::string stalled = hop(to_a, "ATUid_stalled", "");
    const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    staller.join();
    MESSAGE("hop against a stalled Redis answered in " << elapsed.count() << " ms: " << stalled);
    CHECK(is_end(stalled));
    CHECK(elapsed < milliseconds(1000));

    bool resumed = false;
    const auto deadline = Clock::now() + milliseconds(2000);
    for (int round = 0; !resumed && Clock::now() < deadline; ++round) {
        resumed = is_con(hop(to_a, "ATUid_after" + std::to_string(round), ""));
    }
    CHECK(resumed);
    CHECK(a.alive());
}
