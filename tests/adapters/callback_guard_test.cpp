// Who reaches the AT callbacks: the secret path token, the source allowlist, the client named
// by a trusted proxy; and the pieces they stand on (address ranges, log escaping, throttling).
#include "adapters/callback_guard.hpp"

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <string>

#include "adapters/http_client.hpp"
#include "adapters/log_text.hpp"
#include "tests/adapters/raw_http.hpp"
#include "tests/adapters/ussd_fixture.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
using adapters::AddressRange;
using adapters::HttpClient;
namespace ip = boost::asio::ip;

constexpr std::string_view token = "Zk3v-9QwXr_T2mLp8sYb";
constexpr std::string_view session_id = "ATUid_guard";

ip::address address(std::string_view text) { return ip::make_address(text); }

adapters::HttpResponse post(std::uint16_t port, const std::string& path,
                            const std::string& body) {
    HttpClient client("127.0.0.1", port);
    auto response = client.post_form(path, body);
    REQUIRE_MESSAGE(response.has_value(), "request failed: " << response.error().message());
    return *response;
}

adapters::CallbackAuthSettings allow(std::string_view ranges) {
    return {.token = std::nullopt, .allow_from = *adapters::parse_address_ranges(ranges)};
}

// A hop posted raw to /ussd/at with `header` ("Name: value\r\n", or "") among its headers.
std::string raw_hop(std::uint16_t port, std::string_view header) {
    const std::string body = hop_body(session_id, "");
    const std::string request = "POST /ussd/at HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                "Content-Type: application/x-www-form-urlencoded\r\n" +
                                std::string(header) + "Content-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    return raw_exchange(port, request, 2000ms).received;
}

}  // namespace

TEST_CASE("address ranges match their network and refuse what is ambiguous") {
    const auto at = AddressRange::parse("196.201.214.0/24");
    REQUIRE(at.has_value());
    CHECK(at->contains(address("196.201.214.200")));
    CHECK_FALSE(at->contains(address("196.201.215.1")));
    CHECK(at->contains(address("::ffff:196.201.214.9")));  // an IPv4 peer on a dual-stack socket
    CHECK_FALSE(at->contains(address("2001:db8::1")));
    CHECK(at->to_string() == "196.201.214.0/24");

    const auto odd = AddressRange::parse("10.128.0.0/9");
    REQUIRE(odd.has_value());
    CHECK(odd->contains(address("10.200.1.1")));
    CHECK_FALSE(odd->contains(address("10.127.255.255")));

    const auto host = AddressRange::parse("::1");
    REQUIRE(host.has_value());
    CHECK(host->contains(address("::1")));
    CHECK_FALSE(host->contains(address("::2")));
    const auto v6 = AddressRange::parse(" 2001:db8::/32 ");
    REQUIRE(v6.has_value());
    CHECK(v6->contains(address("2001:db8:ffff::7")));
    CHECK_FALSE(v6->contains(address("2001:db9::")));
    CHECK(AddressRange::parse("0.0.0.0/0")->contains(address("8.8.8.8")));

    for (const std::string_view bad : {"10.0.0.1/8", "1.2.3/24", "1.2.3.4/33", "1.2.3.4/",
                                       "1.2.3.4/x", "::1/129", "example.com", ""}) {
        CAPTURE(bad);
        CHECK_FALSE(AddressRange::parse(bad).has_value());
    }
    std::string offending;
    CHECK_FALSE(adapters::parse_address_ranges("10.0.0.0/8, 300.1.1.1", &offending));
    CHECK(offending == "300.1.1.1");
    CHECK(adapters::parse_address_ranges(" ")->empty());
    CHECK(adapters::parse_address_ranges("10.0.0.0/8,::1")->size() == 2);
}

TEST_CASE("network text reaches the log escaped and cut") {
    CHECK(adapters::loggable("ATUid_1") == "ATUid_1");
    CHECK(adapters::loggable("x\r\n2026-01-01 [info] forged") ==
          "x\\x0d\\x0a2026-01-01 [info] forged");
    CHECK(adapters::loggable("a\\b\x7f") == "a\\x5cb\\x7f");
    CHECK(adapters::loggable(std::string(500, 'a')).size() == adapters::loggable_chars_max + 3);
}

TEST_CASE("a log throttle lets one line through an interval and counts the rest") {
    adapters::LogThrottle throttle(1min);
    const auto start = std::chrono::steady_clock::time_point{} + 10h;
    std::uint64_t held = 99;
    CHECK(throttle.allow(start, held));
    CHECK(held == 0);
    CHECK_FALSE(throttle.allow(start + 1s, held));
    CHECK_FALSE(throttle.allow(start + 59s, held));
    CHECK(throttle.allow(start + 60s, held));
    CHECK(held == 2);
}

TEST_CASE("callback tokens are long and URL-safe") {
    CHECK_FALSE(adapters::callback_token_problem(token).has_value());
    CHECK(adapters::callback_token_problem("short").has_value());
    CHECK(adapters::callback_token_problem("has/a/slash/in/it/x").has_value());
    CHECK(adapters::callback_token_problem("has%2Fescape-in-it-x").has_value());
}

TEST_CASE("with a callback token only /ussd/at/TOKEN serves hops; every other path 404s") {
    // Goal: knowing the bare URL (or a wrong token) gets an attacker nothing, not even a hint
    // that the route exists. Method: a rig with a token; post the same first dial to the bare
    // route, a wrong token of the same length, a prefix of the token and the right one.
    UssdRig rig(nullptr, {}, {.token = std::string(token), .allow_from = {}});
    const std::string body = hop_body(session_id, "");
    const auto unknown = post(rig.server.port(), "/no/such/route", body);
    REQUIRE(unknown.status == 404);
    std::string wrong(token);
    wrong.back() = wrong.back() == 'b' ? 'c' : 'b';
    for (const std::string& path : {std::string("/ussd/at"), "/ussd/at/" + wrong,
                                   "/ussd/at/" + std::string(token.substr(0, 10)),
                                   "/ussd/at/" + std::string(token) + "x"}) {
        CAPTURE(path);
        const auto refused = post(rig.server.port(), path, body);
        CHECK(refused.status == 404);
        CHECK(refused.body == unknown.body);
    }
    CHECK(rig.actions->runs == 0);
    const auto served = post(rig.server.port(), "/ussd/at/" + std::string(token), body);
    CHECK(served.status == 200);
    CHECK(served.body.starts_with("CON "));

    const std::string end = "sessionId=ATUid_guard&status=Success";
    CHECK(post(rig.server.port(), "/ussd/at/events", end).status == 404);
    CHECK(post(rig.server.port(), "/ussd/at/" + wrong + "/events", end).status == 404);
    CHECK(post(rig.server.port(), "/ussd/at/" + std::string(token) + "/events", end).status ==
          200);
}

TEST_CASE("a source outside the allowlist is refused 403 on hops and events") {
    UssdRig refused(nullptr, {}, allow("10.0.0.0/8, 196.201.214.0/24"));
    const auto hop = post(refused.server.port(), "/ussd/at", hop_body(session_id, ""));
    CHECK(hop.status == 403);
    CHECK(post(refused.server.port(), "/ussd/at/events", "sessionId=x").status == 403);

    UssdRig admitted(nullptr, {}, allow("10.0.0.0/8, 127.0.0.1"));
    CHECK(post(admitted.server.port(), "/ussd/at", hop_body(session_id, "")).body.starts_with(
        "CON "));
}

TEST_CASE("the client's address comes from the configured header only through a trusted proxy") {
    // Goal: behind a reverse proxy the allowlist sees the caller, not the proxy; and nobody
    // else can claim an address by sending the header. Method: AT's range allowed; the test
    // client (127.0.0.1) plays the proxy, trusted in one rig and not in the other.
    const auto at_only = allow("196.201.214.0/24");
    UssdRig proxied(nullptr, {}, at_only,
                    adapters::HttpServerSettings{.client_header = "X-Forwarded-For"});
    const std::uint16_t port = proxied.server.port();
    CHECK(raw_hop(port, "X-Forwarded-For: 196.201.214.7\r\n").find(" 200 ") !=
          std::string::npos);
    CHECK(raw_hop(port, "x-forwarded-for: 203.0.113.9, 196.201.214.7\r\n").find(" 200 ") !=
          std::string::npos);
    // The last item is what the proxy saw; earlier ones are whatever the caller wrote.
    CHECK(raw_hop(port, "X-Forwarded-For: 196.201.214.7, 203.0.113.9\r\n").find(" 403 ") !=
          std::string::npos);
    CHECK(raw_hop(port, "X-Forwarded-For: nonsense\r\n").find(" 403 ") != std::string::npos);
    CHECK(raw_hop(port, "").find(" 403 ") != std::string::npos);

    UssdRig untrusted(nullptr, {}, at_only,
                      adapters::HttpServerSettings{
                          .client_header = "X-Forwarded-For",
                          .trusted_proxies = *adapters::parse_address_ranges("10.0.0.0/8")});
    CHECK(raw_hop(untrusted.server.port(), "X-Forwarded-For: 196.201.214.7\r\n")
              .find(" 403 ") != std::string::npos);
}

}  // namespace hodi::test

namespace hodi::test {

TEST_CASE("the access log names the route pattern, never the token, the path or the body") {
    // Goal: an operator sees who called what and how it went, and the log never holds a
    // secret. Method: json access log, a token rig; a PIN-bearing hop and a wrong-token probe;
    // read what the default logger wrote.
    std::ostringstream lines;
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines)));
    {
        UssdRig rig(nullptr, unlimited_settings(), {.token = std::string(token), .allow_from = {}},
                    adapters::HttpServerSettings{
                        .access_log = adapters::HttpServerSettings::AccessLog::json});
        post(rig.server.port(), "/ussd/at/" + std::string(token), hop_body(session_id, "3*2580"));
        post(rig.server.port(), "/ussd/at/not-the-token-at-all", hop_body(session_id, ""));
        post(rig.server.port(), "/no/such/route", hop_body(session_id, ""));
    }
    spdlog::set_default_logger(previous);
    const std::string log = lines.str();
    CHECK(log.find(R"("route":"/ussd/at/{token}","status":200)") != std::string::npos);
    CHECK(log.find(R"("peer":"127.0.0.1","method":"POST")") != std::string::npos);
    CHECK(log.find(R"("route":"/ussd/at/{token}","status":404)") != std::string::npos);
    CHECK(log.find(R"("route":"-","status":404)") != std::string::npos);
    CHECK(log.find(token) == std::string::npos);
    CHECK(log.find("2580") == std::string::npos);
    CHECK(log.find("not-the-token") == std::string::npos);
}

}  // namespace hodi::test
