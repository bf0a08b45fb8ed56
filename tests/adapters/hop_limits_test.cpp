// Fairness at the USSD door: one hop at a time per session (repeats racing their original get
// its reply), a late hop's outcome shown to its retry, the hop rate per phone and the cap on
// hops in flight.
#include "adapters/hop_limits.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http_client.hpp"
#include "adapters/session_gate.hpp"
#include "tests/adapters/ussd_fixture.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
using adapters::HopLimits;
using adapters::HopRefusal;
using adapters::HttpClient;
using Clock = std::chrono::steady_clock;

constexpr std::string_view session_id = "ATUid_fair";

std::string post_hop(std::uint16_t port, std::string_view session, std::string_view text,
                     std::string_view phone = "+254712345678") {
    HttpClient client("127.0.0.1", port);
    auto response = client.post_form("/ussd/at", hop_body(session, text, phone));
    REQUIRE_MESSAGE(response.has_value(), "request failed: " << response.error().message());
    return response->body;
}

std::string service_error(const UssdRig& rig) {
    return "END " + rig.menu->texts.service_error.in(rig.menu->default_language);
}

}  // namespace

TEST_CASE("a phone's hop rate refills over the minute and is its own") {
    HopLimits limits({.hops_per_phone_per_minute = 3, .in_flight_max = 0, .new_dial_share = 1});
    const auto start = Clock::time_point{} + 1h;
    for (int hop = 0; hop < 3; ++hop) {
        CHECK(limits.admit("+254700000001", false, start) == HopRefusal::none);
        limits.finished();
    }
    CHECK(limits.admit("+254700000001", false, start + 1s) == HopRefusal::phone_rate);
    CHECK(limits.admit("+254700000002", false, start + 1s) == HopRefusal::none);  // another
    limits.finished();
    // One token comes back every 20 s at 3 a minute.
    CHECK(limits.admit("+254700000001", false, start + 21s) == HopRefusal::none);
    limits.finished();
    CHECK(limits.admit("+254700000001", false, start + 22s) == HopRefusal::phone_rate);
    CHECK(limits.in_flight() == 0);  // refusals hold no place
}

TEST_CASE("a phone at its limit stays held while a flood of other phones passes through") {
    // Goal: the fixed table of buckets cannot be flushed by dialling from many numbers: a
    // crowded set gives up its fullest bucket, never the emptiest. Method: a table of 64 keys,
    // one phone spends its 3 hops, then 100,000 other phones take one hop each (crowding every
    // set many times over) and the first phone is still refused; a minute later it is let in.
    adapters::KeyedRate rate(3, 64);
    const auto start = Clock::time_point{} + 1h;
    for (int hop = 0; hop < 3; ++hop) CHECK(rate.take("+254700000001", start));
    CHECK_FALSE(rate.take("+254700000001", start));
    int refused_others = 0;
    for (int caller = 0; caller < 100'000; ++caller) {
        if (!rate.take("+2547" + std::to_string(10'000'000 + caller), start + 1s)) {
            ++refused_others;
        }
    }
    CHECK(refused_others == 0);  // each of them had its first hop
    CHECK_FALSE(rate.take("+254700000001", start + 2s));
    CHECK(rate.take("+254700000001", start + 62s));
}

TEST_CASE("a crowded set gives way by the tokens buckets hold now, not when last touched") {
    // Goal: the phone just held at its limit keeps its bucket over phones that spent theirs
    // long ago (and have nearly refilled since). Method: one set of 4 ways; the held phone,
    // first in the set, spends its hops again at 50 s and is refused; then a new phone needs a
    // way: the held phone must still be refused after it.
    adapters::KeyedRate rate(3, 4);
    const auto start = Clock::time_point{} + 1h;
    for (const char* phone : {"+254700000001", "+254700000002", "+254700000003", "+254700000004"}) {
        for (int hop = 0; hop < 3; ++hop) CHECK(rate.take(phone, start));
    }
    // At 50 s the held phone has 2.5 tokens back: two hops, then refused with half a token.
    CHECK(rate.take("+254700000001", start + 50s));
    CHECK(rate.take("+254700000001", start + 50s));
    CHECK_FALSE(rate.take("+254700000001", start + 50s));
    CHECK(rate.take("+254700000009", start + 50s));  // takes the way of a phone near full
    CHECK_FALSE(rate.take("+254700000001", start + 50s));
}

TEST_CASE("a source's registration rate refills over the minute and is its own") {
    // Goal: one client address cannot register numbers without end. Method: a rate of 2.
    HopLimits limits({.registrations_per_source_per_minute = 2});
    const Clock::time_point start{};
    CHECK(limits.admit_registration("10.0.0.1", start));
    CHECK(limits.admit_registration("10.0.0.1", start));
    CHECK_FALSE(limits.admit_registration("10.0.0.1", start));
    CHECK(limits.admit_registration("10.0.0.2", start));       // another source
    CHECK(limits.admit_registration("10.0.0.1", start + 30s));  // half a minute: one back
    CHECK_FALSE(limits.admit_registration("10.0.0.1", start + 30s));
    HopLimits unlimited({.registrations_per_source_per_minute = 0});
    for (int i = 0; i < 1000; ++i) CHECK(unlimited.admit_registration("10.0.0.1", start));
}

TEST_CASE("past the in-flight cap hops are shed, new dials first") {
    HopLimits limits({.hops_per_phone_per_minute = 0, .in_flight_max = 4, .new_dial_share = 0.5});
    const auto now = Clock::now();
    CHECK(limits.admit("+254700000001", true, now) == HopRefusal::none);
    CHECK(limits.admit("+254700000002", true, now) == HopRefusal::none);
    CHECK(limits.admit("+254700000003", true, now) == HopRefusal::overloaded);
    CHECK(limits.admit("+254700000004", false, now) == HopRefusal::none);  // in progress
    CHECK(limits.admit("+254700000005", false, now) == HopRefusal::none);
    CHECK(limits.admit("+254700000006", false, now) == HopRefusal::overloaded);
    CHECK(limits.in_flight() == 4);
    limits.finished();
    CHECK(limits.admit("+254700000006", false, now) == HopRefusal::none);
}

TEST_CASE("the session gate lets one hop of a session in and hands it on in turn") {
    adapters::SessionGate gate;
    auto first = gate.try_enter("s1");
    REQUIRE(first.has_value());
    CHECK_FALSE(gate.try_enter("s1").has_value());
    CHECK(gate.try_enter("s2").has_value());  // dropped at once: s2 is free again
    CHECK(gate.busy_sessions() == 1);

    net::io_context io;
    // A waiter whose deadline comes first gets nothing, and leaves the queue.
    auto late = net::co_spawn(io, gate.enter("s1", Clock::now() + 20ms), net::use_future);
    io.run();
    CHECK_FALSE(late.get().has_value());
    io.restart();
    // A waiter with time left gets the session when the first hop drops it.
    auto next = net::co_spawn(io, gate.enter("s1", Clock::now() + 10s), net::use_future);
    io.run_for(20ms);
    CHECK(next.wait_for(0s) == std::future_status::timeout);
    first.reset();
    io.run();
    auto handed = next.get();
    CHECK(handed.has_value());
    CHECK_FALSE(gate.try_enter("s1").has_value());
    handed.reset();
    CHECK(gate.try_enter("s1").has_value());
    CHECK(gate.busy_sessions() == 0);
}

TEST_CASE("the same hop sent three times at once runs once and answers all three alike") {
    // Goal: AT's retries racing a slow hop are one hop (the wrong-PIN hop sent 3x at once once
    // answered "2 left", "1 left", "locked"). Method: an action taking 300 ms; three clients
    // post the same hop together.
    UssdRig rig;
    rig.actions->delay = 300ms;
    REQUIRE(post_hop(rig.server.port(), session_id, "").starts_with("CON "));
    std::vector<std::future<std::string>> replies;
    for (int copy = 0; copy < 3; ++copy) {
        replies.push_back(std::async(std::launch::async, [&rig] {
            return post_hop(rig.server.port(), session_id, "3");
        }));
    }
    std::vector<std::string> bodies;
    for (auto& reply : replies) bodies.push_back(reply.get());
    CHECK(rig.actions->runs == 1);
    CHECK(bodies[0] != service_error(rig));
    CHECK(bodies[1] == bodies[0]);
    CHECK(bodies[2] == bodies[0]);
}

TEST_CASE("a hop answered late still tells its retry what happened") {
    // Goal: when the budget runs out the hop goes on, and AT's retry of it learns the real
    // outcome instead of running it again. Method: an action of 400 ms under a 300 ms budget;
    // the first answer is the service error, the retry (sent at once) waits for the hop and
    // replays its reply; the action ran once.
    adapters::UssdSettings settings = unlimited_settings();
    settings.hop_budget = 300ms;
    UssdRig rig(nullptr, settings);
    REQUIRE(post_hop(rig.server.port(), session_id, "").starts_with("CON "));
    rig.actions->delay = 400ms;
    CHECK(post_hop(rig.server.port(), session_id, "3") == service_error(rig));
    const std::string retry = post_hop(rig.server.port(), session_id, "3");
    CHECK(retry != service_error(rig));
    CHECK(retry.starts_with("CON "));
    CHECK(rig.actions->runs == 1);
}

TEST_CASE("a retry whose own budget ends first gets the service error and runs nothing") {
    // Goal: a hop waiting on its session's slow hop never waits past its own budget, and never
    // runs the step a second time. Method: an action of 1 s under a 200 ms budget; the retry,
    // sent at once, times out waiting; the action ran once.
    adapters::UssdSettings settings = unlimited_settings();
    settings.hop_budget = 200ms;
    UssdRig rig(nullptr, settings);
    REQUIRE(post_hop(rig.server.port(), session_id, "").starts_with("CON "));
    rig.actions->delay = 1000ms;
    CHECK(post_hop(rig.server.port(), session_id, "3") == service_error(rig));
    const auto started = Clock::now();
    CHECK(post_hop(rig.server.port(), session_id, "3") == service_error(rig));
    CHECK(Clock::now() - started < 800ms);
    CHECK(rig.actions->runs == 1);
}

TEST_CASE("a phone over its hop rate gets a fast END and reaches nothing") {
    adapters::UssdSettings settings = unlimited_settings();
    settings.limits.hops_per_phone_per_minute = 3;
    UssdRig rig(nullptr, settings);
    const std::uint16_t port = rig.server.port();
    CHECK(post_hop(port, session_id, "").starts_with("CON "));
    CHECK(post_hop(port, session_id, "3").starts_with("CON "));
    CHECK(post_hop(port, session_id, "3*0").starts_with("CON "));
    CHECK(post_hop(port, session_id, "3*0*3") == service_error(rig));
    CHECK(rig.actions->runs == 1);
    CHECK(post_hop(port, "ATUid_other", "", "+254712000001").starts_with("CON "));
}

}  // namespace hodi::test
