// Money across crashes: subscribers move money through real USSD HTTP requests while `hodi
// serve` is killed with SIGKILL at random moments. After every kill the book must balance; at
// the end every acknowledged operation is in the ledger exactly once and nothing is there twice.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "adapters/form.hpp"
#include "adapters/http_client.hpp"
#include "storage/bank/money/book_check.hpp"
#include "tests/support/process.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kills_required = 50;
constexpr int subscriber_count = 4;
constexpr auto crash_phase_max = 240s;  // the kills stop here even if fewer than required
const std::string pin = "4821";

// A money operation as a subscriber keys it: AT's `text` hop by hop, and what the last screen
// says when the operation was acknowledged.
struct Operation {
    std::string name;
    std::vector<std::string> texts;
    std::string acknowledged;
};

// Each dialog opens with the PIN, once per session; the deposit is confirmed with 1.
const Operation topup{
    "topup", {"", pin, pin + "*1", pin + "*1*3", pin + "*1*3*50"}, "You will get an M-Pesa prompt"};
const Operation deposit{"deposit",
                        {"", pin, pin + "*2", pin + "*2*3", pin + "*2*3*1", pin + "*2*3*1*10",
                         pin + "*2*3*1*10*1", pin + "*2*3*1*10*1*1"},
                        "Saved KES 10"};

std::string phone_of(int subscriber) { return "+2547100000" + std::to_string(10 + subscriber); }

// Whether the server is up, so that clients wait instead of spinning on refused connections.
class Gate {
public:
    void set(bool up) {
        const std::lock_guard lock(mutex_);
        up_ = up;
        changed_.notify_all();
    }
    void finish() {
        const std::lock_guard lock(mutex_);
        finished_ = true;
        changed_.notify_all();
    }
    // Blocks until the server is up; false once the test is finishing.
    bool wait_up() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return up_ || finished_; });
        return !finished_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool up_ = false;
    bool finished_ = false;
};

// `hodi serve` on one loopback port with its bank in `dir`; killed and restarted at will.
class CrashServer {
public:
    explicit CrashServer(const std::filesystem::path& dir)
        : dir_(dir), port_(free_loopback_port()) {}

    void start() {
        process_.emplace(
            std::vector<std::string>{HODI_BINARY, "serve", "--listen",
                                     "127.0.0.1:" + std::to_string(port_)},
            std::vector<std::string>{
                "HODI_SANDBOX_LISTEN=127.0.0.1:0", "HODI_DARAJA_FIRST_CHECK=1s",
                "HODI_MENU=" + (source_dir() / "menus/hodi.yaml").string(), "HODI_THREADS=2",
                "HODI_LOG_LEVEL=warn", "HODI_DATABASE=" + database().string(),
                "HODI_PIN_PEPPER=crash-test-pepper-0001", "HODI_PIN_HASH_COST=minimum",
                "HODI_SANDBOX_DELAY=0s", "HODI_OUTBOX_POLL=50ms",
                // Rows a killed pass had claimed come due again when their lease ends.
                "HODI_SEND_DEADLINE=200ms", "HODI_OUTBOX_LEASE=3s"},
            dir_ / ("hodi-" + std::to_string(++starts_) + ".log"));
        REQUIRE_MESSAGE(wait_for_port(port_, 30s),
                        "hodi serve did not start (start " << starts_ << ")");
    }
    void kill() {
        process_->signal(SIGKILL);
        CHECK(process_->wait(10s).has_value());
        process_.reset();
    }
    int stop() {
        const int status = process_->stop();
        process_.reset();
        // A server that did not stop cleanly says why in its log, which the temporary
        // directory would otherwise take with it.
        if (status != 0) MESSAGE("hodi serve exited " << status << ":\n" << log_text());
        return status;
    }
    unsigned short port() const { return port_; }
    std::string log_text() const {
        std::ifstream log(dir_ / ("hodi-" + std::to_string(starts_) + ".log"));
        return {std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>()};
    }
    std::filesystem::path database() const { return dir_ / "hodi.db"; }

private:
    std::filesystem::path dir_;
    unsigned short port_;
    int starts_ = 0;
    std::optional<ChildProcess> process_;
};

// Plays one operation as one AT session. Returns the last screen, or nullopt when a hop
// failed (the server died under it).
std::optional<std::string> play(adapters::HttpClient& client, const std::string& session_id,
                                const std::string& phone, const std::vector<std::string>& texts) {
    std::string screen;
    for (const std::string& text : texts) {
        const std::string body = adapters::form_encode({{"sessionId", session_id},
                                                        {"serviceCode", "*384*2470#"},
                                                        {"phoneNumber", phone},
                                                        {"networkCode", "63902"},
                                                        {"text", text}});
        auto response = client.post_form("/ussd/at", body);
        if (!response || response->status != 200) return std::nullopt;
        screen = response->body;
    }
    return screen;
}

std::string session_id_for(int subscriber, int counter) {
    char id[64];
    std::snprintf(id, sizeof id, "ATUid_%08x%08x00000000c0ffee00", subscriber, counter);
    return id;
}

struct Outcomes {
    std::mutex mutex;
    std::vector<std::string> acknowledged;  ///< session ids whose operation was confirmed
    std::vector<std::string> attempted;     ///< every session id that was played
    int sessions = 0;
    // How far check_book has looked; each kill checks what came since the one before.
    std::size_t acknowledged_checked = 0;
    std::size_t attempted_checked = 0;
};

// One subscriber: top-ups and wallet-to-goal deposits, one session after another, until the
// gate closes for good.
void subscriber_loop(int subscriber, unsigned short port, Gate& gate, Outcomes& outcomes) {
    for (int counter = 0; gate.wait_up(); ++counter) {
        adapters::HttpClient client("127.0.0.1", port, {.request_timeout = 10s});
        const Operation& operation = counter % 3 == 0 ? topup : deposit;
        const std::string session_id = session_id_for(subscriber, counter);
        const auto screen = play(client, session_id, phone_of(subscriber), operation.texts);
        const std::lock_guard lock(outcomes.mutex);
        ++outcomes.sessions;
        outcomes.attempted.push_back(session_id);
        if (screen && screen->starts_with("END ") &&
            screen->find(operation.acknowledged) != std::string::npos) {
            outcomes.acknowledged.push_back(session_id);
        }
    }
}

// How many ledger transfers carry this session's id (money ids derive from it).
int transfers_of(hodi::storage::Connection& db, const std::string& session_id) {
    SQLite::Statement query(db, "SELECT count(*) FROM transfers WHERE id LIKE ?");
    query.bind(1, "%" + session_id + "%");
    query.executeStep();
    return query.getColumn(0).getInt();
}

// The checks that must hold whenever the server is down: a sound book, every acknowledged
// operation present once, none doubled.
void check_book(const std::filesystem::path& database, Outcomes& outcomes, int kill) {
    storage::Connection db(database.string(), SQLite::OPEN_READWRITE);
    const storage::BookSummary book = storage::verify_book(db);
    INFO("after kill " << kill);
    for (const auto& violation : book.violations) FAIL_CHECK(violation);
    const std::lock_guard lock(outcomes.mutex);
    for (; outcomes.acknowledged_checked < outcomes.acknowledged.size();
         ++outcomes.acknowledged_checked) {
        const auto& id = outcomes.acknowledged[outcomes.acknowledged_checked];
        CHECK_MESSAGE(transfers_of(db, id) == 1, id);
    }
    for (; outcomes.attempted_checked < outcomes.attempted.size(); ++outcomes.attempted_checked) {
        const auto& id = outcomes.attempted[outcomes.attempted_checked];
        CHECK_MESSAGE(transfers_of(db, id) <= 1, id);
    }
}

void set_up_subscribers(unsigned short port) {
    adapters::HttpClient client("127.0.0.1", port);
    for (int subscriber = 0; subscriber < subscriber_count; ++subscriber) {
        const std::string phone = phone_of(subscriber);
        const auto registered = play(client, session_id_for(subscriber, 1'000'000), phone,
                                     {"", "1", "1*" + pin, "1*" + pin + "*" + pin});
        REQUIRE(registered);
        REQUIRE(registered->starts_with("CON Welcome to hodi"));
        const std::string p = pin;
        const auto goal = play(client, session_id_for(subscriber, 1'000'001), phone,
                               {"", p, p + "*2", p + "*2*2", p + "*2*2*Pot", p + "*2*2*Pot*100000",
                                p + "*2*2*Pot*100000*50"});
        REQUIRE(goal);
        REQUIRE(goal->find("Goal Pot created") != std::string::npos);
    }
}

// Waits, bounded, until the drainer has settled every outbox row left by the crashes.
bool outbox_drained(const std::filesystem::path& database) {
    const auto deadline = Clock::now() + 30s;
    while (Clock::now() < deadline) {
        SQLite::Database db(database.string(), SQLite::OPEN_READONLY);
        if (db.execAndGet("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sent')")
                .getInt() == 0) {
            return true;
        }
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

}  // namespace

TEST_CASE("money survives fifty SIGKILLs: acknowledged once, never twice, the book sound") {
    // Goal: crashes at any moment neither lose an acknowledged operation nor apply one twice.
    // Method: 4 subscribers top up (M-Pesa, settled by the sandbox drainer) and save from the
    // wallet concurrently over real USSD HTTP; SIGKILL hodi at random moments >= 50 times,
    // checking the book after each kill; then let the drainer finish and check everything.
    const auto seed = seed_from_environment();
    MESSAGE("crash test seed: " << seed << " (set HODI_SEED to replay)");
    std::mt19937_64 random(seed);
    TempDir dir;
    CrashServer server(dir.path());
    server.start();
    set_up_subscribers(server.port());

    Gate gate;
    Outcomes outcomes;
    std::vector<std::thread> subscribers;
    for (int subscriber = 0; subscriber < subscriber_count; ++subscriber) {
        subscribers.emplace_back(subscriber_loop, subscriber, server.port(), std::ref(gate),
                                 std::ref(outcomes));
    }
    gate.set(true);
    int kills = 0;
    const auto crash_phase_end = Clock::now() + crash_phase_max;
    for (; kills < kills_required && Clock::now() < crash_phase_end; ++kills) {
        // The random moment: somewhere in the next few hops of every subscriber.
        std::this_thread::sleep_for(std::chrono::milliseconds(50 + random() % 400));
        gate.set(false);
        server.kill();
        check_book(server.database(), outcomes, kills + 1);
        server.start();
        gate.set(true);
    }
    gate.finish();
    for (auto& thread : subscribers) thread.join();

    CHECK(kills >= kills_required);
    REQUIRE(outbox_drained(server.database()));
    CHECK(server.stop() == 0);
    // The last word on every operation, now that nothing moves: checked from the start again.
    outcomes.acknowledged_checked = outcomes.attempted_checked = 0;
    check_book(server.database(), outcomes, kills);
    SQLite::Database db(server.database().string(), SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("SELECT count(*) FROM transfers WHERE state = 'pending'").getInt() == 0);
    const auto check = run_command({HODI_BINARY, "check", "--db", server.database().string()});
    CHECK_MESSAGE(check.exit_code == 0, check.output);
    // The chain is keyed from the pepper; its head file, written after each commit, may lag a
    // SIGKILL by one commit but never names an event the chain lacks.
    const auto audit =
        run_command({HODI_BINARY, "audit", "verify", "--db", server.database().string()}, 60s,
                    {"HODI_PIN_PEPPER=crash-test-pepper-0001"});
    CHECK_MESSAGE(audit.exit_code == 0, audit.output);
    CHECK_MESSAGE(audit.output.find("head file agrees") != std::string::npos, audit.output);
    MESSAGE("crash test: " << kills << " kills, " << outcomes.sessions << " sessions, "
                           << outcomes.acknowledged.size() << " acknowledged operations");
    CHECK(outcomes.acknowledged.size() >= 20);  // the test moved real money, not nothing
}

}  // namespace hodi::test
