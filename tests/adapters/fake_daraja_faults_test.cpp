// The fake's fault plan over loopback: every kind of fault at least once, on fixed counts
// (FaultOdds::first), then the same seed giving the same faults. The randomised test prints its
// seed; replay it with HODI_SEED=<seed>.
#include <doctest/doctest.h>

#include <algorithm>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "adapters/daraja/callback_bodies.hpp"
#include "adapters/daraja/fake_daraja.hpp"
#include "adapters/daraja/requests.hpp"
#include "tests/adapters/fake_daraja_fixture.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
namespace daraja = adapters::daraja;
using daraja::FaultEvent;
using daraja::FaultKind;
constexpr std::string_view push_target = "/mpesa/stkpush/v1/processrequest";

DarajaReply push_once(FakeRig& rig, std::string_view token, std::int64_t amount_kes = 100) {
    return rig.post(push_target, daraja::stk_push_body(rig.stk_request(amount_kes)), token);
}

std::vector<std::string> callback_checkouts(FakeRig& rig) {
    std::vector<std::string> ids;
    for (const auto& call : rig.recorder().calls_to(stk_callback_url)) {
        const auto parsed = daraja::parse_stk_callback(call.body);
        REQUIRE(parsed.value);
        ids.push_back(parsed.value->checkout_request_id);
    }
    return ids;
}

bool has_fault(const daraja::FakeDarajaLedger& ledger, FaultKind kind) {
    return std::any_of(ledger.faults.begin(), ledger.faults.end(),
                       [kind](const FaultEvent& event) { return event.kind == kind; });
}

}  // namespace

TEST_CASE("fake Daraja: spike arrest and server errors answer without acting") {
    // Goal: hodi may resend these: nothing happened. Method: the first calls are struck.
    FakeDarajaSettings settings = fast_settings();
    settings.faults.spike_arrest.first = 1;
    settings.faults.server_error.first = 3;
    FakeRig rig(settings);
    const std::string token = rig.token();
    const DarajaReply spiked = push_once(rig, token);
    CHECK(spiked.status == 500);
    REQUIRE(daraja::parse_error_body(spiked.body));
    CHECK(daraja::parse_error_body(spiked.body)->throttled());
    for (int call = 0; call < 2; ++call) {
        const DarajaReply failed = push_once(rig, token);
        CHECK((failed.status == 500 || failed.status == 503));
        const auto error = daraja::parse_error_body(failed.body);
        REQUIRE(error);
        CHECK(!error->throttled());
    }
    CHECK(rig.fake().ledger().prompts_sent == 0);
    CHECK(push_once(rig, token).status == 200);
    const auto ledger = rig.fake().ledger();
    CHECK(ledger.prompts_sent == 1);
    CHECK(ledger.faults == std::vector<FaultEvent>{{FaultKind::spike_arrest, 0},
                                                   {FaultKind::server_error, 1},
                                                   {FaultKind::server_error, 2}});
}

TEST_CASE("fake Daraja: a hung call is never answered and not acted on, and stop() ends it") {
    // Goal: the caller's deadline must save it; the fake still closes it at hang_max, and at
    // once on stop().
    FakeDarajaSettings settings = fast_settings();
    settings.faults.hang.first = 2;
    settings.hang_max = 300ms;
    FakeRig rig(settings);
    const std::string token = rig.token();
    const DarajaReply unanswered = rig.call("POST", push_target, "Bearer " + token,
                                            daraja::stk_push_body(rig.stk_request(100)), 150ms);
    CHECK(unanswered.status == 0);
    CHECK(!unanswered.closed);
    const auto start = std::chrono::steady_clock::now();
    const DarajaReply closed = push_once(rig, token);
    CHECK(std::chrono::steady_clock::now() - start >= 250ms);
    CHECK(closed.status == 504);
    CHECK(closed.closed);
    CHECK(rig.fake().ledger().prompts_sent == 0);

    settings.hang_max = 60'000ms;
    FakeRig stopping(settings);
    const std::string second_token = stopping.token();
    auto hung = std::async(std::launch::async, [&] { return push_once(stopping, second_token); });
    std::this_thread::sleep_for(200ms);
    const auto stopped_at = std::chrono::steady_clock::now();
    stopping.fake().stop();
    REQUIRE(hung.wait_for(5s) == std::future_status::ready);
    CHECK(hung.get().status == 504);
    CHECK(std::chrono::steady_clock::now() - stopped_at < 2s);
}

TEST_CASE("fake Daraja: a lost answer still acts: the prompt is sent and called back") {
    // Goal: execute-then-lose-response: hodi cannot tell from the answer and must ask.
    FakeDarajaSettings settings = fast_settings();
    settings.faults.lose_response.first = 1;
    FakeRig rig(settings);
    const std::string token = rig.token();
    const DarajaReply lost = push_once(rig, token);
    CHECK(lost.status == 500);
    CHECK(lost.body.empty());
    CHECK(lost.closed);
    CHECK(!daraja::parse_error_body(lost.body));
    REQUIRE(rig.recorder().wait_for(1, stk_callback_url));
    CHECK(rig.fake().ledger().prompts_sent == 1);
    CHECK(rig.fake().ledger().collected_cents == 10'000);
}

TEST_CASE("fake Daraja: callbacks can be dropped, duplicated and delayed") {
    FakeDarajaSettings settings = fast_settings();
    settings.faults.drop_callback.first = 1;
    FakeRig dropping(settings);
    std::string token = dropping.token();
    dropping.push(token, 100);
    const std::string kept = dropping.push(token, 100);
    REQUIRE(dropping.recorder().wait_for(1, stk_callback_url));
    std::this_thread::sleep_for(100ms);
    CHECK(callback_checkouts(dropping) == std::vector<std::string>{kept});
    CHECK(dropping.fake().ledger().stk_results.at("0") == 2);  // both were paid
    CHECK(dropping.fake().ledger().faults ==
          std::vector<FaultEvent>{{FaultKind::drop_callback, 0}});

    settings = fast_settings();
    settings.faults.duplicate_callback.first = 1;
    settings.faults.duplicates = 2;
    settings.faults.extra_delay.first = 1;
    FakeRig repeating(settings);
    token = repeating.token();
    const std::string checkout = repeating.push(token, 100);
    REQUIRE(repeating.recorder().wait_for(3, stk_callback_url));
    CHECK(callback_checkouts(repeating) == std::vector<std::string>(3, checkout));
    CHECK(eventually([&] { return repeating.fake().ledger().callbacks_delivered == 3; }));
    const auto ledger = repeating.fake().ledger();
    CHECK(ledger.stk_callbacks_delivered.at("0") == 3);
    CHECK(ledger.collected_cents == 10'000);  // one payment, three reports of it
    CHECK(has_fault(ledger, FaultKind::extra_delay));
    CHECK(has_fault(ledger, FaultKind::duplicate_callback));
}

TEST_CASE("fake Daraja: a reordered callback arrives after a later one") {
    // Goal: the first payment's callback is held back until the second's has gone; alone, it
    // goes after reorder_wait_max.
    FakeDarajaSettings settings = fast_settings();
    settings.callback_delay = 60ms;
    settings.faults.reorder.first = 1;
    FakeRig rig(settings);
    const std::string token = rig.token();
    const std::string first = rig.push(token, 100);
    std::this_thread::sleep_for(10ms);
    const std::string second = rig.push(token, 100);
    REQUIRE(rig.recorder().wait_for(2, stk_callback_url));
    CHECK(callback_checkouts(rig) == std::vector<std::string>{second, first});

    FakeRig alone(settings);
    const std::string only = alone.push(alone.token(), 100);
    std::this_thread::sleep_for(150ms);
    CHECK(alone.recorder().calls().empty());
    REQUIRE(alone.recorder().wait_for(1, stk_callback_url, 2'000ms));
    CHECK(callback_checkouts(alone) == std::vector<std::string>{only});
}

TEST_CASE("fake Daraja: a refused callback is retried, then abandoned") {
    FakeRig rig;
    rig.recorder().refuse_next(2);
    rig.push(rig.token(), 100);
    REQUIRE(rig.recorder().wait_for(3, stk_callback_url));
    CHECK(eventually([&] { return rig.fake().ledger().callbacks_delivered == 1; }));
    auto ledger = rig.fake().ledger();
    CHECK(ledger.callbacks_delivered == 1);
    CHECK(ledger.callbacks_abandoned == 0);
    const auto calls = rig.recorder().calls();
    CHECK(calls[0].body == calls[2].body);

    FakeRig giving_up;
    giving_up.recorder().refuse_next(3);
    giving_up.push(giving_up.token(), 100);
    REQUIRE(giving_up.recorder().wait_for(3, stk_callback_url));
    CHECK(eventually([&] { return giving_up.fake().ledger().callbacks_abandoned == 1; }));
    ledger = giving_up.fake().ledger();
    CHECK(giving_up.recorder().calls().size() == 3);
    CHECK(ledger.callbacks_abandoned == 1);
    CHECK(ledger.stk_callbacks_delivered.empty());
}

TEST_CASE("fake Daraja: the fault dice are a pure function of the seed") {
    const daraja::FaultDice dice(42);
    const daraja::FaultDice same(42);
    const daraja::FaultDice other(43);
    int differ = 0;
    for (std::uint64_t index = 0; index < 64; ++index) {
        const double value = dice.uniform(FaultKind::drop_callback, index);
        CHECK(value >= 0.0);
        CHECK(value < 1.0);
        CHECK(value == same.uniform(FaultKind::drop_callback, index));
        if (value != other.uniform(FaultKind::drop_callback, index)) ++differ;
        if (value != dice.uniform(FaultKind::reorder, index)) ++differ;
    }
    CHECK(differ == 128);
    const daraja::FaultOdds never{0.0, 2};
    CHECK(dice.strikes(never, FaultKind::hang, 1));
    CHECK(!dice.strikes(never, FaultKind::hang, 2));
    int struck = 0;
    for (std::uint64_t index = 0; index < 1000; ++index) {
        if (dice.strikes(daraja::FaultOdds{0.25, 0}, FaultKind::hang, index)) ++struck;
    }
    CHECK(struck > 180);
    CHECK(struck < 320);
}

TEST_CASE("fake Daraja: the same seed gives the same faults on the same calls") {
    // Goal: a chaos run replays. Method: two fakes with one seed take the same dozen pushes;
    // the faults they applied (kind and event index) must match.
    const std::uint64_t seed = seed_from_environment();
    MESSAGE("fake Daraja fault seed: " << seed << " (replay with HODI_SEED=" << seed << ")");
    FakeDarajaSettings settings = fast_settings();
    settings.seed = seed;
    settings.faults.spike_arrest.probability = 0.15;
    settings.faults.server_error.probability = 0.15;
    settings.faults.lose_response.probability = 0.15;
    settings.faults.drop_callback.probability = 0.3;
    settings.faults.duplicate_callback.probability = 0.3;
    settings.faults.extra_delay.probability = 0.3;
    std::vector<std::vector<FaultEvent>> runs;
    for (int run = 0; run < 2; ++run) {
        FakeRig rig(settings);
        CHECK(rig.fake().seed() == seed);
        const std::string token = rig.token();
        for (int call = 0; call < 12; ++call) {
            push_once(rig, token);
            std::this_thread::sleep_for(5ms);  // callbacks keep the order of their pushes
        }
        std::this_thread::sleep_for(300ms);
        auto faults = rig.fake().ledger().faults;
        std::sort(faults.begin(), faults.end(), [](const FaultEvent& a, const FaultEvent& b) {
            return std::pair(a.kind, a.index) < std::pair(b.kind, b.index);
        });
        runs.push_back(std::move(faults));
    }
    CHECK(runs[0] == runs[1]);
}

}  // namespace hodi::test
