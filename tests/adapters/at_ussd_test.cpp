// POST /ussd/at and friends over real HTTP on loopback: vectors, text parsing, replays,
// ownership, expiry, store failures, the hop budget and the health endpoints.
#include "adapters/at_ussd.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "adapters/http_client.hpp"
#include "storage/memory_session_store.hpp"
#include "tests/adapters/ussd_fixture.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

using adapters::HttpClient;
namespace json = boost::json;

constexpr std::string_view session_a = "ATUid_00000000000000000000000000000001";

adapters::HttpResponse post(HttpClient& client, const std::string& body) {
    auto response = client.post_form("/ussd/at", body);
    REQUIRE_MESSAGE(response.has_value(), "request failed: " << response.error().message());
    return *response;
}

// Posts every hop of `text` as AT would: "", then each prefix, and returns the last body.
std::string dial_through(HttpClient& client, std::string_view session_id, std::string_view text) {
    std::string body = post(client, hop_body(session_id, "")).body;
    for (std::size_t end = 0; end < text.size(); ++end) {
        if (text[end] == '*') body = post(client, hop_body(session_id, text.substr(0, end))).body;
    }
    if (!text.empty()) body = post(client, hop_body(session_id, text)).body;
    return body;
}

std::string service_error_body(const engine::Menu& menu) {
    return "END " + menu.texts.service_error.in(menu.default_language);
}

}  // namespace

TEST_CASE("every AT USSD vector request is answered as its expect says") {
    // Goal: the real wire samples get 200, text/plain, CON/END and a short screen. Method: post
    // each vector's body_raw exactly, in hop order, to one server.
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    for (const char* name : {"at_ussd_first_dial.json", "at_ussd_second_hop.json",
                             "at_ussd_third_hop.json", "at_ussd_fourth_hop_free_input.json",
                             "at_ussd_back_navigation.json", "at_ussd_home_navigation.json"}) {
        CAPTURE(name);
        const json::value vector = load_vector(name);
        const json::object& expect = vector.at("expect").as_object();
        const auto response = post(client, json::value_to<std::string>(
                                               vector.at("http").at("body_raw")));
        CHECK(response.status == expect.at("status").as_int64());
        CHECK(response.content_type.starts_with(expect.at("content_type").as_string()));
        bool prefixed = false;
        for (const auto& prefix : expect.at("body_prefix_one_of").as_array()) {
            prefixed = prefixed || response.body.starts_with(prefix.as_string());
        }
        CHECK(prefixed);
        CHECK(response.body.size() - 4 <=
              static_cast<std::size_t>(expect.at("max_display_chars").as_int64()));
    }
}

TEST_CASE("the end-of-session notification is acknowledged") {
    // Goal: AT's notification gets a 200 whatever it says. Method: post the vector's body_raw,
    // and a garbled body too.
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    const json::value vector = load_vector("at_ussd_end_notification_success.json");
    const auto response = client.post_form(
        "/ussd/at/events", json::value_to<std::string>(vector.at("http").at("body_raw")));
    REQUIRE(response.has_value());
    CHECK(response->status == vector.at("expect").at("status").as_int64());
    const auto garbled = client.post_form("/ussd/at/events", "sessionId=%zz&status=Failed");
    REQUIRE(garbled.has_value());
    CHECK(garbled->status == 200);
}

TEST_CASE("every text parsing case lands where its effective path does") {
    // Goal: back, home and more resolve as ussd_text_parsing.json says. Method: drive each
    // case hop by hop as a real session, and compare its last screen with a session that typed
    // only the effective path.
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    const json::value cases = load_vector("ussd_text_parsing.json");
    int index = 0;
    for (const auto& item : cases.at("cases").as_array()) {
        const std::string text = json::value_to<std::string>(item.at("text"));
        std::string effective;
        for (const auto& token : item.at("effective_path").as_array()) {
            if (!effective.empty()) effective.push_back('*');
            effective.append(token.as_string());
        }
        CAPTURE(text);
        CAPTURE(effective);
        ++index;
        const std::string typed = dial_through(client, "ATUid_typed_" + std::to_string(index),
                                               text);
        const std::string direct = dial_through(client, "ATUid_direct_" + std::to_string(index),
                                                effective);
        const bool prefixed = typed.starts_with("CON ") || typed.starts_with("END ");
        CHECK(prefixed);
        CHECK(typed == direct);
    }
}

TEST_CASE("malformed hop bodies are refused with a reason") {
    // Goal: the gateway's mistakes get 400 and say what is wrong. Method: one bad body per
    // rule; the reason must name the problem.
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    const std::string long_id(adapters::session_id_chars_max + 1, 'a');
    const struct {
        std::string body;
        std::string reason;
    } cases[] = {
        {"sessionId=ATUid_1&serviceCode=%2A1%23&phoneNumber=%2B254712345678&networkCode=1&"
         "text=1%zz",
         "percent escape"},
        {"serviceCode=%2A1%23&phoneNumber=%2B254712345678&networkCode=63902&text=", "sessionId"},
        {"sessionId=ATUid_1&serviceCode=%2A1%23&phoneNumber=%2B254712345678&networkCode=63902",
         "text"},
        {"sessionId=ATUid_1&serviceCode=%2A1%23&phoneNumber=%2B254712345678&text=",
         "networkCode"},
        {"sessionId=ATUid_1&phoneNumber=%2B254712345678&networkCode=1&text=", "serviceCode"},
        {"sessionId=ATUid_1&serviceCode=%2A1%23&networkCode=1&text=", "phoneNumber"},
        {hop_body("ATUid_1", "", "+255712345678"), "phoneNumber"},
        {hop_body("ATUid_1", "", "0201234567"), "phoneNumber"},
        {hop_body("", ""), "sessionId"},
        {hop_body(long_id, ""), "sessionId"},
        {hop_body("ATUid 1", ""), "sessionId"},
    };
    for (const auto& bad : cases) {
        CAPTURE(bad.body);
        const auto response = post(client, bad.body);
        CHECK(response.status == 400);
        CHECK(response.body.find(bad.reason) != std::string::npos);
    }
    const auto json_body = client.request("POST", "/ussd/at", "application/json", "{}");
    REQUIRE(json_body.has_value());
    CHECK(json_body->status == 400);
    CHECK(json_body->body.find("content type") != std::string::npos);
}

TEST_CASE("a hop keeps the first of a repeated field and reads past fields it does not know") {
    // Goal: the hop parser keeps form rules without building a form. Method: a first hop whose
    // text is repeated and that carries an extra field answers as a clean first hop; a bad
    // escape in the extra field is still refused.
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    const auto clean = post(client, hop_body("ATUid_clean", ""));
    const auto repeated =
        post(client, hop_body("ATUid_repeated", "") + "&text=9&sessionId=ATUid_x&extra=1");
    CHECK(repeated.status == 200);
    CHECK(repeated.body == clean.body);
    const auto bad = post(client, hop_body("ATUid_bad", "") + "&extra=%zz");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("percent escape") != std::string::npos);
}

TEST_CASE("a phone number whose plus arrived raw still starts a session") {
    // Goal: a simulator that sends '+' unescaped (decoded to a space) is served. Method: post
    // phoneNumber=+254... and expect the root screen; a %2B form continues the same session.
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    const std::string raw =
        "sessionId=ATUid_raw&serviceCode=%2A384%23&phoneNumber=+254712345678&networkCode=63902&"
        "text=";
    const auto first = post(client, raw);
    CHECK(first.status == 200);
    CHECK(first.body.starts_with("CON "));
    CHECK(post(client, hop_body("ATUid_raw", "1")).body.find("My account") != std::string::npos);
}

TEST_CASE("a repeated hop replays the same screen without advancing or re-running an action") {
    // Goal: AT retrying a hop neither skips a level nor runs a money action twice. Method: reach
    // the balance action, send the same text again, count the action runs, then advance.
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    post(client, hop_body(session_a, ""));
    const std::string shown = post(client, hop_body(session_a, "3")).body;
    CHECK(shown.starts_with("CON "));
    CHECK(shown.find("balance is ready") != std::string::npos);
    CHECK(rig.actions->runs == 1);
    CHECK(rig.actions->last_request_id.starts_with(std::string(session_a) + ":balance:"));
    CHECK(post(client, hop_body(session_a, "3")).body == shown);
    CHECK(post(client, hop_body(session_a, "3")).body == shown);
    CHECK(rig.actions->runs == 1);
    CHECK(post(client, hop_body(session_a, "3*1")).body.find("Welcome") != std::string::npos);
}

TEST_CASE("a repeated final hop replays the same END without re-running its action") {
    // Goal: AT retrying the hop that ended a session (its answer was lost) sees the same END and
    // moves no money twice. Method: send money to the END, repeat that hop twice, count the
    // action runs, and check what the store kept of the ended session.
    auto store = std::make_shared<storage::MemorySessionStore>();
    UssdRig rig(store);
    HttpClient client("127.0.0.1", rig.server.port());
    const std::string last_text = "2*0712345678*150";
    const std::string ended = dial_through(client, session_a, last_text);
    CHECK(ended == "END Money sent.");
    CHECK(rig.actions->runs == 1);
    CHECK(post(client, hop_body(session_a, last_text)).body == ended);
    CHECK(post(client, hop_body(session_a, last_text)).body == ended);
    CHECK(rig.actions->runs == 1);
    const auto session = store->find(std::string(session_a));
    REQUIRE(session.has_value());
    CHECK(session->last_reply.end);
    CHECK(session->variables.empty());
    CHECK(session->history.empty());
    // Anything but a repeat after the END starts over, as for a session we no longer hold.
    CHECK(post(client, hop_body(session_a, last_text + "*1")).body.starts_with("CON "));
}

TEST_CASE("a session id presented by another phone never resumes that session") {
    // Goal: nobody takes over a session by its id. Method: start as one phone, continue as
    // another (END service error), then continue as the owner (the session is untouched).
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    post(client, hop_body(session_a, ""));
    const auto stranger = post(client, hop_body(session_a, "1", "+254722000000"));
    CHECK(stranger.status == 200);
    CHECK(stranger.body == service_error_body(*rig.menu));
    CHECK(post(client, hop_body(session_a, "1")).body.find("My account") != std::string::npos);
}

TEST_CASE("an unknown session with text restarts at the root with the timeout notice") {
    // Goal: a hop for a session we no longer hold starts over politely. Method: send "1*2"
    // for a session never seen.
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    const auto response = post(client, hop_body("ATUid_lost", "1*2"));
    CHECK(response.body.starts_with("CON "));
    CHECK(response.body.find("timed out") != std::string::npos);
    CHECK(response.body.find("Welcome") != std::string::npos);
}

TEST_CASE("a session past its timeout restarts at the root with the timeout notice") {
    // Goal: TTL expiry never resumes mid-menu. Method: a fake clock shared by store and hop;
    // move it past the menu's session timeout between two hops.
    auto now = std::make_shared<std::atomic<engine::TimePoint::rep>>(0);
    const auto clock = [now] { return engine::TimePoint(engine::TimePoint::duration(*now)); };
    auto store = std::make_shared<storage::MemorySessionStore>(
        storage::MemorySessionStoreSettings{.clock = clock});
    UssdRig rig(store, adapters::UssdSettings{.clock = clock});
    HttpClient client("127.0.0.1", rig.server.port());
    post(client, hop_body(session_a, ""));
    CHECK(post(client, hop_body(session_a, "1")).body.find("My account") != std::string::npos);
    *now += std::chrono::duration_cast<engine::TimePoint::duration>(rig.menu->session_timeout +
                                                                    std::chrono::seconds(1))
                .count();
    const auto response = post(client, hop_body(session_a, "1*2"));
    CHECK(response.body.find("timed out") != std::string::npos);
    CHECK(response.body.find("Welcome") != std::string::npos);
}

TEST_CASE("session store failures answer END with the service error") {
    // Goal: Redis down never hangs or crashes a hop. Method: a store failing load, then one
    // failing save; both hops answer END with the menu's service-error text.
    auto store = std::make_shared<FlakyStore>();
    UssdRig rig(store);
    HttpClient client("127.0.0.1", rig.server.port());
    store->fail_load = true;
    CHECK(post(client, hop_body(session_a, "")).body == service_error_body(*rig.menu));
    store->fail_load = false;
    store->fail_save = true;
    CHECK(post(client, hop_body(session_a, "")).body == service_error_body(*rig.menu));
}

TEST_CASE("a hop over its budget answers END with the service error in time") {
    // Goal: a slow action cannot make AT wait past the hop budget. Method: an action taking 2 s
    // under a 100 ms budget; the answer comes well before the action ends.
    UssdRig rig(nullptr, adapters::UssdSettings{.hop_budget = std::chrono::milliseconds(100)});
    rig.actions->delay = std::chrono::milliseconds(2000);
    HttpClient client("127.0.0.1", rig.server.port());
    post(client, hop_body(session_a, ""));
    const auto started = std::chrono::steady_clock::now();
    CHECK(post(client, hop_body(session_a, "3")).body == service_error_body(*rig.menu));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1500));
}

TEST_CASE("health, readiness, unknown paths and wrong methods are answered") {
    // Goal: load balancers and stray clients get the right status. Method: one request each;
    // readiness follows the store.
    auto store = std::make_shared<FlakyStore>();
    UssdRig rig(store);
    HttpClient client("127.0.0.1", rig.server.port());
    const auto status = [&client](std::string_view method, std::string_view target) {
        const auto response = client.request(method, target, "text/plain", "");
        REQUIRE(response.has_value());
        return response->status;
    };
    CHECK(status("GET", "/healthz") == 200);
    CHECK(status("GET", "/readyz") == 200);
    CHECK(status("GET", "/nowhere") == 404);
    CHECK(status("GET", "/ussd/at") == 405);
    CHECK(status("POST", "/healthz") == 405);
    store->fail_load = true;
    CHECK(status("GET", "/readyz") == 503);
}

TEST_CASE("the new input is what extends the last answered text") {
    // Goal: an entry holding '*' is taken whole; without a usable last reply the last token is.
    // Method: call new_input with recorded last replies.
    const storage::SessionSealer sealer = storage::SessionSealer::random();
    const auto last_for = [&sealer](std::string_view text) {
        return engine::LastReply{sealer.text_digest(text),
                                 static_cast<std::uint32_t>(text.size()), true, false, ""};
    };
    CHECK(adapters::new_input(sealer, last_for("1*2"), "1*2*5*0") == "5*0");
    CHECK(adapters::new_input(sealer, last_for(""), "1") == "1");
    CHECK(adapters::new_input(sealer, last_for(""), "12*34") == "12*34");
    CHECK(adapters::new_input(sealer, last_for("1*3"), "1*2*7") == "7");
    CHECK(adapters::new_input(sealer, engine::LastReply{}, "1*2*7") == "7");
    CHECK(adapters::new_input(sealer, engine::LastReply{}, "9") == "9");
    CHECK(adapters::is_repeat(sealer, last_for("1*2"), "1*2"));
    CHECK_FALSE(adapters::is_repeat(sealer, last_for("1*2"), "1*3"));
    CHECK_FALSE(adapters::is_repeat(sealer, engine::LastReply{}, ""));
}

}  // namespace hodi::test
