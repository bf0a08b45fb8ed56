// The catalogue actions answered from SQLite: registration, PINs, balance, savings, topups.
#include "storage/bank/actions/bank_actions.hpp"

#include <doctest/doctest.h>

#include "storage/bank/actions/bank_action_jobs.hpp"
#include "storage/bank/money/book_check.hpp"
#include "tests/storage/bank_teller.hpp"

namespace {

using namespace hodi::storage;
using hodi::engine::ActionResult;

const Seconds start{std::chrono::seconds{1'800'000'000}};

struct Teller : hodi::test::Teller {
    Teller() : hodi::test::Teller(start) {}

    // Funds the wallet as the M-Pesa callback would: post the pending topup.
    void top_up(const char* shillings) {
        REQUIRE(act("wallet.topup", {{"amount", shillings}}).outcome == "ok");
        const std::string id = "topup:session:" + std::to_string(hop);
        REQUIRE(
            store
                ->write_now<Transfer>([id](Connection& db) { return post_transfer(db, id, start); })
                .has_value());
    }
};

}  // namespace

TEST_CASE("a subscriber registers, checks the balance and is refused a wrong PIN") {
    // Goal: user.lookup, pin.register, balance on real data. Method: one subscriber's walk.
    Teller teller;
    CHECK(teller.act("user.lookup", {}).outcome == "unregistered");
    CHECK(teller.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    CHECK(teller.act("user.lookup", {}).outcome == "registered");
    teller.top_up("1500.50");
    const ActionResult balance = teller.act("balance", {{"pin", "2580"}});
    CHECK(balance.outcome == "ok");
    CHECK(balance.outputs.at("balance") == "1,500.50");
    const ActionResult wrong = teller.act("balance", {{"pin", "1357"}});
    CHECK(wrong.outcome == "wrong_pin");
    CHECK(wrong.outputs.at("tries_left") == "2");
    const ActionResult verified = teller.act("pin.verify", {{"pin", "2580"}});
    CHECK(verified.outcome == "ok");
    CHECK(verified.outputs.at("tries_left") == "3");  // the right PIN cleared the miss
    CHECK(teller.act("pin.verify", {{"pin", "1357"}}).outputs.at("tries_left") == "2");
    const ActionResult statement = teller.act("statement", {{"pin", "2580"}});
    CHECK(statement.outcome == "ok");
    CHECK(statement.outputs.at("statement").find("+1,500.50 topup") != std::string::npos);
}

TEST_CASE("savings move money from the wallet once per hop") {
    // Goal: savings.* on the ledger, idempotent per request id. Method: create, deposit,
    // replay the same hop, withdraw, overdraw; audit the book.
    Teller teller;
    CHECK(teller.read("savings.list").outcome == "none");  // no such subscriber yet
    REQUIRE(teller.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    teller.top_up("1000");
    CHECK(teller.read("savings.list").outcome == "none");  // registered, no goal yet
    const ActionResult created =
        teller.act("savings.create", {{"name", "Roof"}, {"target", "800"}, {"weeks", "8"}});
    CHECK(created.outcome == "ok");
    CHECK(created.outputs.at("target") == "800");
    const hodi::engine::Variables deposit{
        {"goal", "1"}, {"amount", "300"}, {"source", "wallet"}, {"pin", "2580"}};
    const ActionResult saved = teller.act("savings.deposit", deposit);
    CHECK(saved.outcome == "ok");
    CHECK(saved.outputs.at("saved") == "300");
    CHECK(saved.outputs.at("badge") == "bronze");
    --teller.hop;  // AT repeats the hop: same request id
    CHECK(teller.act("savings.deposit", deposit).outputs.at("saved") == "300");
    CHECK(teller.act("balance", {{"pin", "2580"}}).outputs.at("balance") == "700");
    const ActionResult out =
        teller.act("savings.withdraw", {{"goal", "1"}, {"amount", "100"}, {"pin", "2580"}});
    CHECK(out.outputs.at("balance") == "800");
    CHECK(teller.act("savings.withdraw", {{"goal", "1"}, {"amount", "201"}, {"pin", "2580"}})
              .outcome == "insufficient_funds");
    CHECK(
        teller.act("savings.withdraw", {{"goal", "2"}, {"amount", "1"}, {"pin", "2580"}}).outcome ==
        "no_goal");
    CHECK(teller.read("savings.list").outputs.at("goals") == "1. Roof 200/800");
    const auto book = teller.store->read_now<BookSummary>(
        [](Connection& db) { return boost::system::result<BookSummary>(verify_book(db)); });
    REQUIRE(book.has_value());
    CHECK(book->violations.empty());
}

TEST_CASE("a PIN-guarded action commits with its PIN attempt") {
    // Goal: balance and money actions cost one read (the user, for the hash) and one write
    // job (attempt and work together), and a right PIN counts even when its work fails.
    // Method: count the store's read transactions and write jobs around each action.
    Teller teller;
    REQUIRE(teller.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    teller.top_up("1000");
    REQUIRE(teller.act("savings.create", {{"name", "Roof"}, {"target", "800"}, {"weeks", "8"}})
                .outcome == "ok");
    const auto costs = [&](const std::string& name, const hodi::engine::Variables& args) {
        const auto reads = teller.store->read_transactions();
        const auto jobs = teller.store->writer_stats().jobs;
        const ActionResult result = teller.act(name, args);
        return std::tuple{result.outcome, teller.store->read_transactions() - reads,
                          teller.store->writer_stats().jobs - jobs};
    };
    CHECK(costs("balance", {{"pin", "2580"}}) == std::tuple{"ok", 1U, 1U});
    CHECK(costs("savings.deposit",
                {{"goal", "1"}, {"amount", "300"}, {"source", "wallet"}, {"pin", "2580"}}) ==
          std::tuple{"ok", 1U, 1U});
    CHECK(costs("balance", {{"pin", "1357"}}) == std::tuple{"wrong_pin", 1U, 1U});
    CHECK(teller.act("balance", {{"pin", "1357"}}).outputs.at("tries_left") == "1");
    // Saving by M-Pesa into a goal that does not exist fails inside the guarded work: the
    // subscriber hears no_goal, and the right PIN still cleared both misses.
    CHECK(teller
              .act("savings.deposit",
                   {{"goal", "9"}, {"amount", "50"}, {"source", "mpesa"}, {"pin", "2580"}})
              .outcome == "no_goal");
    CHECK(teller.act("balance", {{"pin", "1357"}}).outputs.at("tries_left") == "2");
    CHECK(teller.act("balance", {{"pin", "2580"}}).outputs.at("balance") == "700");
}

TEST_CASE("a locked subscriber is answered locked by every PIN action") {
    // Goal: `locked` from any PIN-taking action. Method: three wrong PINs, then the right one.
    Teller teller;
    REQUIRE(teller.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    for (int i = 0; i < 3; ++i) teller.act("pin.verify", {{"pin", "1357"}});
    CHECK(teller.act("pin.verify", {{"pin", "2580"}}).outcome == "locked");
    CHECK(teller.act("balance", {{"pin", "2580"}}).outcome == "locked");
    CHECK(teller.act("language.set", {{"language", "sw"}, {"verified", teller.proof()}}).outcome ==
          "ok");
    CHECK(teller.act("user.lookup", {}).outputs.at("language") == "sw");
}

TEST_CASE("choosing a language creates no subscriber, and changes a saved one only when proven") {
    // Goal: a flood of dials that pick a language once created a row each (3,000 in 6 s), and
    // anyone could switch a subscriber's language. Method: language.set for a new caller, then
    // for a registered one without and with the session's proof.
    Teller teller;
    CHECK(teller.act("language.set", {{"language", "sw"}}).outcome == "ok");
    CHECK(teller.count("SELECT count(*) FROM users") == 0);
    CHECK(teller.act("user.lookup", {}).outcome == "unregistered");
    REQUIRE(teller.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    CHECK(teller.act("language.set", {{"language", "sw"}}).outcome == "unverified");
    CHECK(teller.act("language.set", {{"language", "sw"}, {"verified", "forged"}}).outcome ==
          "unverified");
    CHECK(teller.act("user.lookup", {}).outputs.at("language") == "en");
    CHECK(teller.act("language.set", {{"language", "sw"}, {"verified", teller.proof()}}).outcome ==
          "ok");
    CHECK(teller.act("user.lookup", {}).outputs.at("language") == "sw");
}

TEST_CASE("a read the store cannot answer is the error screen, for the greeting and the goals") {
    // Goal: the reads every session makes (user.lookup, savings.list) turn a store failure into
    // the menu's error outcome instead of a wrong answer. Method: rename the tables they read
    // behind the store's back, so that their statements fail to prepare.
    Teller teller;
    REQUIRE(teller.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    REQUIRE(teller.act("user.lookup", {}).outcome == "registered");
    REQUIRE(teller.read("savings.list").outcome == "none");
    REQUIRE(teller.store
                ->write_now<int>([](Connection& db) {
                    db.exec("ALTER TABLE savings_goals RENAME TO savings_goals_gone");
                    db.exec("ALTER TABLE users RENAME TO users_gone");
                    return boost::system::result<int>(0);
                })
                .has_value());
    CHECK(teller.act("user.lookup", {}).outcome == "error");
    CHECK(teller.read("savings.list").outcome == "error");
}

TEST_CASE("top-ups prompt a phone at most five times an hour by default") {
    // Goal: anyone dialling as a number once sent its owner STK pushes of KES 70,000 without
    // end. Method: six top-ups in one hour, a repeat of the fifth hop, then one an hour on.
    Teller teller;
    REQUIRE(teller.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    for (int prompt = 0; prompt < hodi::storage::mpesa_prompts_per_phone_per_hour; ++prompt) {
        CHECK(teller.act("wallet.topup", {{"amount", "70000"}}).outcome == "ok");
    }
    CHECK(teller.act("wallet.topup", {{"amount", "70000"}}, true).outcome == "ok");  // a repeat
    CHECK(teller.act("wallet.topup", {{"amount", "70000"}}).outcome == "limited");
    CHECK(teller.count("SELECT count(*) FROM outbox WHERE kind = 'stk_push'") ==
          hodi::storage::mpesa_prompts_per_phone_per_hour);
    teller.now += std::chrono::hours{1};
    CHECK(teller.act("wallet.topup", {{"amount", "500"}}).outcome == "ok");

    // The cap is the operator's (payments.prompts_per_phone_per_hour); 0 lifts it.
    hodi::test::Teller two(start, {}, 2);
    REQUIRE(two.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    CHECK(two.act("wallet.topup", {{"amount", "100"}}).outcome == "ok");
    CHECK(two.act("wallet.topup", {{"amount", "100"}}).outcome == "ok");
    CHECK(two.act("wallet.topup", {{"amount", "100"}}).outcome == "limited");
    hodi::test::Teller uncapped(start, {}, 0);
    REQUIRE(uncapped.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome ==
            "ok");
    for (int prompt = 0; prompt < 8; ++prompt) {
        CHECK(uncapped.act("wallet.topup", {{"amount", "100"}}).outcome == "ok");
    }
}

TEST_CASE("an action whose hop's deadline passed starts nothing") {
    // Goal: a hop answered "unavailable" moves no money afterwards. Method: a top-up run with
    // a deadline already past answers error and queues no prompt; the same with time left does.
    Teller teller;
    const auto run = [&teller](std::chrono::steady_clock::time_point deadline) {
        hodi::storage::ActionContext context{teller.phone, "session", hodi::engine::Language::en,
                                             "session:late", deadline};
        boost::asio::io_context io;
        auto future = boost::asio::co_spawn(
            io, teller.actions.run({"wallet.topup", {{"amount", "500"}}}, std::move(context)),
            boost::asio::use_future);
        io.run();
        return future.get();
    };
    REQUIRE(teller.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    CHECK(run(std::chrono::steady_clock::now() - std::chrono::milliseconds(1)).outcome == "error");
    CHECK(teller.count("SELECT count(*) FROM outbox") == 0);
    CHECK(run(std::chrono::steady_clock::now() + std::chrono::seconds(10)).outcome == "ok");
    CHECK(teller.count("SELECT count(*) FROM outbox") == 1);
}
