// Daraja's callback routes over real HTTP on loopback, into a real SQLite bank: only the secret
// path and an allowed source are heard; every body heard is kept; what is Daraja's is answered
// 200 and applied once, matched against the request hodi made; what a crash left unapplied is
// applied by the recovery pass.
#include "adapters/daraja/daraja_routes.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "adapters/http_server.hpp"
#include "storage/bank/actions/bank_action_jobs.hpp"
#include "storage/bank/money/book_check.hpp"
#include "storage/bank/money/outbox.hpp"
#include "storage/bank/money/payment_reviews.hpp"
#include "storage/bank/money/users.hpp"
#include "tests/adapters/raw_http.hpp"
#include "tests/support/vectors.hpp"

namespace {

namespace net = boost::asio;
using namespace hodi::storage;
using namespace std::chrono_literals;
using hodi::adapters::daraja::DarajaCallbacks;

const Seconds start{std::chrono::seconds{1'800'000'000}};
const std::string phone = "+254712345678";
const std::string token = "daraja-route-test-token-0001";
constexpr auto wait_limit = 10s;  // every wait is bounded: a broken route fails, never hangs

// An STK callback in Daraja's wire format for `checkout`, paid or cancelled.
std::string stk_body(std::string_view checkout, int code, std::int64_t amount_kes,
                     std::string_view payer = "254712345678") {
    std::string body = R"({"Body":{"stkCallback":{"MerchantRequestID":"29115-34620561-1",)"
                       R"("CheckoutRequestID":")" + std::string(checkout) +
                       R"(","ResultCode":)" + std::to_string(code) + R"(,"ResultDesc":"said")";
    if (code == 0) {
        body += R"(,"CallbackMetadata":{"Item":[{"Name":"Amount","Value":)" +
                std::to_string(amount_kes) +
                R"(},{"Name":"MpesaReceiptNumber","Value":"NLJ7RT61SV"},)"
                R"({"Name":"TransactionDate","Value":20270115102115},)"
                R"({"Name":"PhoneNumber","Value":)" + std::string(payer) + "}]}";
    }
    return body + "}}}";
}

// A bank with one top-up of KES 500 whose push Daraja took as ws_CO_1, behind hodi's Daraja
// routes on a loopback port that only 127.0.0.1 may call.
class Rig {
public:
    Rig()
        : store_(Store::open(StoreSettings{dir_.path() / "hodi.db"}).value()),
          work_(net::make_work_guard(io_)),
          callbacks_(std::make_shared<DarajaCallbacks>(
              io_.get_executor(), *store_, [this] { return start + elapsed_.load() * 1s; })) {
        ask_topup();
        auto router = std::make_shared<hodi::adapters::Router>();
        hodi::adapters::daraja::add_daraja_routes(
            *router, callbacks_,
            {.token = token, .allow_from = *hodi::adapters::parse_address_ranges("127.0.0.1")});
        hodi::adapters::HttpServerSettings http;
        http.address = "127.0.0.1";
        http.port = 0;
        server_ = std::make_unique<hodi::adapters::HttpServer>(io_, http, router);
        REQUIRE_FALSE(server_->start());
        thread_ = std::thread([this] { io_.run(); });
    }
    ~Rig() {
        callbacks_->stop();
        server_->shutdown();
        work_.reset();
        thread_.join();
    }
    Rig(const Rig&) = delete;
    Rig& operator=(const Rig&) = delete;

    // POSTs `body` to `path` from `from`; answers the status code (0 without an answer).
    int post(std::string_view path, std::string_view body, const char* from = "127.0.0.1") {
        const std::string request = "POST " + std::string(path) +
                                    " HTTP/1.1\r\nHost: hodi\r\nConnection: close\r\n"
                                    "Content-Type: application/json\r\nContent-Length: " +
                                    std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
        const auto reply = hodi::test::raw_exchange_from(from, server_->port(), request, 5s);
        if (!reply.received.starts_with("HTTP/1.1 ")) return 0;
        return std::stoi(reply.received.substr(9, 3));
    }
    std::string route(std::string_view rest) const {
        return "/daraja/" + token + std::string(rest);
    }

    // Waits, bounded, until `count` applications have run.
    bool applied(std::uint64_t count) {
        const auto deadline = std::chrono::steady_clock::now() + wait_limit;
        while (callbacks_->counters().applied < count) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            std::this_thread::sleep_for(5ms);  // the routes apply on the server's thread
        }
        return true;
    }
    std::size_t recover() {
        auto done = net::co_spawn(io_, callbacks_->recover_once(), net::use_future);
        return done.get().value();
    }
    void pass(std::int64_t seconds) { elapsed_ += seconds; }

    Cents balance() { return read<Cents>("SELECT balance FROM accounts WHERE code = ?"); }
    std::int64_t count(const std::string& sql) {
        return store_
            ->read_now<std::int64_t>([sql](Connection& db) -> boost::system::result<std::int64_t> {
                return db.execAndGet(sql).getInt64();
            })
            .value();
    }
    std::size_t open_reviews() {
        return store_
            ->read_now<std::size_t>([](Connection& db) -> boost::system::result<std::size_t> {
                return list_reviews(db, true).value().size();
            })
            .value();
    }
    bool book_sound() {
        return store_
            ->read_now<bool>([](Connection& db) -> boost::system::result<bool> {
                return verify_book(db).violations.empty();
            })
            .value();
    }
    Store& store() { return *store_; }
    DarajaCallbacks& callbacks() { return *callbacks_; }

private:
    template <typename T>
    T read(const std::string& sql) {
        return store_
            ->read_now<T>([sql](Connection& db) -> boost::system::result<T> {
                SQLite::Statement query(db, sql);
                query.bind(1, wallet_code(phone));
                if (!query.executeStep()) return T{};
                return static_cast<T>(query.getColumn(0).getInt64());
            })
            .value();
    }

    void ask_topup() {
        REQUIRE(store_
                    ->write_now<User>([](Connection& db) {
                        return ensure_user(db, phone, hodi::engine::Language::en, start);
                    })
                    .has_value());
        REQUIRE(store_
                    ->write_now<hodi::engine::ActionResult>(
                        mpesa_in_job("topup:1", wallet_code(phone), 50'000, "topup", start))
                    .has_value());
        REQUIRE(store_
                    ->write_now<OutboxRow>([](Connection& db) {
                        const std::int64_t row =
                            db.execAndGet("SELECT id FROM outbox").getInt64();
                        const OutboxAttempt taken{OutboxOutcome::accepted, "ws_CO_1", "",
                                                  start + 60s};
                        return record_outbox_attempt(db, row, taken, {}, "daraja", start);
                    })
                    .has_value());
    }

    hodi::test::TempDir dir_;
    std::unique_ptr<Store> store_;
    net::io_context io_;
    net::executor_work_guard<net::io_context::executor_type> work_;
    std::atomic<std::int64_t> elapsed_{0};
    std::shared_ptr<DarajaCallbacks> callbacks_;
    std::unique_ptr<hodi::adapters::HttpServer> server_;
    std::thread thread_;
};

}  // namespace

TEST_CASE("Daraja routes: a wrong token or a source off the allowlist is not heard at all") {
    // Goal: a spoofed success moves no money and leaves no trace to apply. Method: the right
    // body on a wrong token, and on the right token from 127.0.0.66.
    Rig rig;
    const std::string paid = stk_body("ws_CO_1", 0, 500);
    CHECK(rig.post("/daraja/not-the-token-at-all-0000/stk", paid) == 404);
    CHECK(rig.post("/daraja/stk", paid) == 404);
    CHECK(rig.post(rig.route("/stk"), paid, "127.0.0.66") == 403);
    CHECK(rig.count("SELECT count(*) FROM mpesa_callbacks") == 0);
    CHECK(rig.balance() == 0);
}

TEST_CASE("Daraja routes: a body that is not Daraja's is kept, answered 400, and moves nothing") {
    Rig rig;
    CHECK(rig.post(rig.route("/stk"), "not json") == 400);
    CHECK(rig.post(rig.route("/stk"), R"({"Body":{}})") == 400);
    CHECK(rig.post(rig.route("/b2c/result"), R"({"Result":{"ResultCode":"x"}})") == 400);
    CHECK(rig.count("SELECT count(*) FROM mpesa_callbacks WHERE fate = 'refused'") == 3);
    CHECK(rig.balance() == 0);
}

TEST_CASE("Daraja routes: a success is answered 200 and credits once, however often it comes") {
    // Goal: Daraja's repeated callbacks never credit twice. Method: the same success three
    // times, then a cancellation for the same request (a contradiction).
    Rig rig;
    const std::string paid = stk_body("ws_CO_1", 0, 500);
    for (int copy = 0; copy < 3; ++copy) CHECK(rig.post(rig.route("/stk"), paid) == 200);
    REQUIRE(rig.applied(3));
    CHECK(rig.balance() == 50'000);
    CHECK(rig.count("SELECT count(*) FROM mpesa_callbacks WHERE fate = 'applied'") == 1);
    CHECK(rig.count("SELECT count(*) FROM mpesa_callbacks WHERE fate = 'duplicate'") == 2);
    CHECK(rig.post(rig.route("/stk"), stk_body("ws_CO_1", 1032, 0)) == 200);
    REQUIRE(rig.applied(4));
    CHECK(rig.balance() == 50'000);
    CHECK(rig.open_reviews() == 1);
    CHECK(rig.book_sound());
}

TEST_CASE("Daraja routes: a success for another amount or payer moves nothing, for review") {
    Rig rig;
    CHECK(rig.post(rig.route("/stk"), stk_body("ws_CO_1", 0, 499)) == 200);
    REQUIRE(rig.applied(1));
    CHECK(rig.balance() == 0);
    CHECK(rig.open_reviews() == 1);
    CHECK(rig.count("SELECT count(*) FROM mpesa_callbacks WHERE fate = 'review'") == 1);
    // Unknown CheckoutRequestID: nothing hodi asked for.
    CHECK(rig.post(rig.route("/stk"), stk_body("ws_CO_unknown", 0, 500)) == 200);
    REQUIRE(rig.applied(2));
    CHECK(rig.balance() == 0);
    CHECK(rig.book_sound());
}

TEST_CASE("Daraja routes: a callback a crash left unapplied is applied by the recovery pass") {
    // Goal: a 200 is a promise: what was kept is applied, also after a crash. Method: keep a
    // body as the route does, without applying it (the crash); recover once the body is older
    // than the settle time.
    Rig rig;
    REQUIRE(rig.store()
                .write_now<std::int64_t>([](Connection& db) {
                    return store_callback(db, CallbackSource::stk, "ws_CO_1",
                                          stk_body("ws_CO_1", 0, 500), start);
                })
                .has_value());
    CHECK(rig.recover() == 0);  // too young: its route may still be applying it
    rig.pass(10);
    CHECK(rig.recover() == 1);
    CHECK(rig.balance() == 50'000);
    CHECK(rig.recover() == 0);  // applied once
    CHECK(rig.count("SELECT count(*) FROM mpesa_callbacks WHERE fate = 'unapplied'") == 0);
}
