// The outbound client against real loopback servers, plain and TLS with a CA made at run time:
// what it sends, what it verifies, and above all whether a failed call may have been delivered,
// which decides between sending a payment again and asking what became of it.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <exception>
#include <optional>
#include <vector>

#include "adapters/outbound_http.hpp"
#include "tests/adapters/tls_fixture.hpp"

namespace {

namespace net = boost::asio;
using hodi::adapters::HttpMethod;
using hodi::adapters::OutboundHttp;
using hodi::adapters::OutboundHttpSettings;
using hodi::adapters::OutboundRequest;
using hodi::adapters::OutboundResult;
using hodi::adapters::parse_outbound_url;
using hodi::test::LoopbackServer;
using hodi::test::ServerBehaviour;
using hodi::test::TempPem;
using namespace std::chrono_literals;

// The client on a test-owned io_context, run until the calls asked for are done.
struct ClientRig {
    explicit ClientRig(OutboundHttpSettings settings = {}) {
        client.emplace(ioc.get_executor(), std::move(settings));
    }
    ~ClientRig() { stop(); }

    void start(OutboundRequest request, std::optional<OutboundResult>& into) {
        net::co_spawn(ioc, client->call(std::move(request)),
                      [&into](std::exception_ptr error, OutboundResult result) {
                          if (error) std::rethrow_exception(error);
                          into = std::move(result);
                      });
    }
    void run() {
        ioc.restart();
        ioc.run();
    }
    OutboundResult call(OutboundRequest request) {
        std::optional<OutboundResult> result;
        start(std::move(request), result);
        run();
        REQUIRE(result.has_value());
        return std::move(*result);
    }
    void stop() {
        client.reset();
        run();
    }

    net::io_context ioc{1};
    std::optional<OutboundHttp> client;
};

OutboundRequest post(std::string url, std::string body = "{}") {
    OutboundRequest request;
    request.url = std::move(url);
    request.headers.emplace_back("Authorization", "Bearer t0ken");
    request.content_type = "application/json";
    request.body = std::move(body);
    request.deadline = 5s;
    return request;
}

std::string plain_url(const LoopbackServer& server, std::string target = "/echo") {
    return "http://127.0.0.1:" + std::to_string(server.port()) + target;
}

std::string tls_url(const LoopbackServer& server, std::string host = "127.0.0.1") {
    return "https://" + host + ":" + std::to_string(server.port()) + "/echo";
}

// A loopback port nothing listens on: one just bound and released.
std::uint16_t closed_port() {
    net::io_context ioc;
    net::ip::tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

OutboundHttpSettings trusting(const TempPem& ca) {
    OutboundHttpSettings settings;
    settings.ca_file = ca.path();
    return settings;
}

}  // namespace

TEST_CASE("an outbound URL names scheme, host, port and target, and nothing that leaks") {
    auto https = parse_outbound_url("https://sandbox.safaricom.co.ke/oauth/v1/generate?x=1");
    REQUIRE(https.has_value());
    CHECK(https->tls);
    CHECK(https->host == "sandbox.safaricom.co.ke");
    CHECK(https->port == 443);
    CHECK(https->target == "/oauth/v1/generate?x=1");

    auto http = parse_outbound_url("HTTP://127.0.0.1:8091");
    REQUIRE(http.has_value());
    CHECK_FALSE(http->tls);
    CHECK(http->port == 8091);
    CHECK(http->target == "/");

    auto ipv6 = parse_outbound_url("https://[::1]:8443/cb");
    REQUIRE(ipv6.has_value());
    CHECK(ipv6->host == "::1");
    CHECK(ipv6->port == 8443);
    CHECK(parse_outbound_url("https://[::1]/cb")->port == 443);

    for (const char* bad : {"ftp://host/", "https://", "https://user:pw@host/", "host/path",
                            "https://host/a#frag", "https://host/a b", "https://host:0/",
                            "https://host:65536/", "https://[::1/"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_outbound_url(bad).has_value());
    }
}

TEST_CASE("a plain call sends method, target, headers and body, and reads the reply") {
    LoopbackServer server;
    ClientRig rig;
    OutboundResult result = rig.call(post(plain_url(server, "/mpesa/x?y=1"), R"({"a":1})"));
    REQUIRE(result.ok());
    CHECK(result.reply->status == 200);
    CHECK(result.reply->content_type == "text/plain");
    CHECK(result.reply->body == "POST /mpesa/x?y=1\nBearer t0ken\n127.0.0.1:" +
                                    std::to_string(server.port()) + "\n{\"a\":1}");

    OutboundRequest get = post(plain_url(server, "/oauth"), "");
    get.method = HttpMethod::get;
    CHECK(rig.call(get).reply->body.starts_with("GET /oauth\n"));
    CHECK(rig.client->counters().replies == 2);
}

TEST_CASE("https is verified against the configured CA, by address and by name") {
    const auto certificates = hodi::test::make_test_certificates("hodi test CA");
    const TempPem ca(certificates.ca_pem);
    LoopbackServer server(&certificates);
    ClientRig rig(trusting(ca));

    OutboundResult by_address = rig.call(post(tls_url(server)));
    REQUIRE(by_address.ok());
    CHECK(by_address.reply->body.starts_with("POST /echo\nBearer t0ken\n"));
    OutboundResult by_name = rig.call(post(tls_url(server, "localhost")));
    REQUIRE(by_name.ok());
    CHECK(by_name.reply->body.find("\nlocalhost:") != std::string::npos);
}

TEST_CASE("a certificate from another CA, or for another name, is refused before sending") {
    const auto certificates = hodi::test::make_test_certificates("hodi test CA");
    const auto stranger = hodi::test::make_test_certificates("someone else's CA");
    const auto elsewhere =
        hodi::test::make_test_certificates("hodi test CA", "DNS:elsewhere.example");

    SUBCASE("another CA") {
        const TempPem ca(stranger.ca_pem);
        LoopbackServer server(&certificates);
        ClientRig rig(trusting(ca));
        OutboundResult result = rig.call(post(tls_url(server)));
        REQUIRE_FALSE(result.ok());
        CHECK_FALSE(result.failure.maybe_delivered);
        CHECK(result.failure.detail.find("TLS handshake") != std::string::npos);
        CHECK(server.requests() == 0);
    }
    SUBCASE("another name") {
        const TempPem ca(elsewhere.ca_pem);
        LoopbackServer server(&elsewhere);
        ClientRig rig(trusting(ca));
        for (const char* host : {"127.0.0.1", "localhost"}) {
            CAPTURE(host);
            OutboundResult result = rig.call(post(tls_url(server, host)));
            REQUIRE_FALSE(result.ok());
            CHECK_FALSE(result.failure.maybe_delivered);
        }
        CHECK(server.requests() == 0);
    }
    SUBCASE("the system store does not know a test CA") {
        LoopbackServer server(&certificates);
        ClientRig rig;
        REQUIRE_FALSE(rig.call(post(tls_url(server))).ok());
        CHECK(server.requests() == 0);
    }
}

TEST_CASE("a CA file that cannot be read stops the client from being made") {
    net::io_context ioc;
    OutboundHttpSettings settings;
    settings.ca_file = "/nonexistent/ca.pem";
    CHECK_THROWS_AS(OutboundHttp(ioc.get_executor(), settings), std::runtime_error);
}

TEST_CASE("a call that never reached a server says so; one that may have says that") {
    SUBCASE("connection refused: not delivered") {
        ClientRig rig;
        const std::uint16_t port = closed_port();
        OutboundResult result = rig.call(post("http://127.0.0.1:" + std::to_string(port)));
        REQUIRE_FALSE(result.ok());
        CHECK(result.failure.error == net::error::connection_refused);
        CHECK_FALSE(result.failure.maybe_delivered);
        CHECK(result.failure.detail.find("connect to http://127.0.0.1:") == 0);
    }
    SUBCASE("the server read the request and hangs: delivered, maybe") {
        LoopbackServer server;
        server.behave(ServerBehaviour::hang);
        ClientRig rig;
        OutboundRequest request = post(plain_url(server));
        request.deadline = 300ms;
        OutboundResult result = rig.call(request);
        REQUIRE_FALSE(result.ok());
        CHECK(result.failure.error == net::error::timed_out);
        CHECK(result.failure.maybe_delivered);
        CHECK(server.requests() == 1);
        CHECK(rig.client->counters().timed_out == 1);
    }
    SUBCASE("a TLS server that never answers the handshake: not delivered") {
        const auto certificates = hodi::test::make_test_certificates("hodi test CA");
        const TempPem ca(certificates.ca_pem);
        LoopbackServer server(&certificates);
        server.behave(ServerBehaviour::silent);
        ClientRig rig(trusting(ca));
        OutboundRequest request = post(tls_url(server));
        request.deadline = 300ms;
        OutboundResult result = rig.call(request);
        REQUIRE_FALSE(result.ok());
        CHECK(result.failure.error == net::error::timed_out);
        CHECK_FALSE(result.failure.maybe_delivered);
    }
    SUBCASE("a reply over the body limit: delivered, no reply") {
        LoopbackServer server;
        server.behave(ServerBehaviour::big_body);
        OutboundHttpSettings settings;
        settings.body_limit = 1024;
        ClientRig rig(settings);
        OutboundResult result = rig.call(post(plain_url(server)));
        REQUIRE_FALSE(result.ok());
        CHECK(result.failure.maybe_delivered);
    }
    SUBCASE("not a URL: nothing sent") {
        ClientRig rig;
        OutboundResult result = rig.call(post("sandbox.safaricom.co.ke/oauth"));
        REQUIRE_FALSE(result.ok());
        CHECK(result.failure.error == boost::system::errc::invalid_argument);
        CHECK_FALSE(result.failure.maybe_delivered);
    }
}

TEST_CASE("kept-alive connections are reused, and never when the server closed them") {
    LoopbackServer server;
    ClientRig rig;
    for (int call = 0; call < 3; ++call) REQUIRE(rig.call(post(plain_url(server))).ok());
    CHECK(rig.client->counters().connections_opened == 1);
    CHECK(server.accepted() == 1);

    // Closed while idle: the next call goes on a new connection, and is sent once.
    server.close_connections();
    REQUIRE(rig.call(post(plain_url(server))).ok());
    CHECK(rig.client->counters().connections_opened == 2);
    CHECK(server.requests() == 4);

    // Connection: close is honoured.
    server.behave(ServerBehaviour::answer_close);
    REQUIRE(rig.call(post(plain_url(server))).ok());
    server.behave(ServerBehaviour::answer);
    REQUIRE(rig.call(post(plain_url(server))).ok());
    CHECK(rig.client->counters().connections_opened == 3);
    CHECK(server.requests() == 6);
}

TEST_CASE("calls beyond in_flight_max wait their turn, and give up at their deadline") {
    LoopbackServer server;
    SUBCASE("waiting calls all get through") {
        OutboundHttpSettings settings;
        settings.in_flight_max = 2;
        ClientRig rig(settings);
        std::vector<std::optional<OutboundResult>> results(6);
        for (auto& result : results) rig.start(post(plain_url(server)), result);
        rig.run();
        for (const auto& result : results) CHECK((result && result->ok()));
        CHECK(rig.client->counters().waited_for_slot == 4);
        CHECK(server.accepted() <= 2);
    }
    SUBCASE("a call that never got a slot was not delivered") {
        server.behave(ServerBehaviour::hang);
        OutboundHttpSettings settings;
        settings.in_flight_max = 1;
        ClientRig rig(settings);
        OutboundRequest holder = post(plain_url(server));
        holder.deadline = 600ms;
        OutboundRequest waiter = post(plain_url(server));
        waiter.deadline = 200ms;
        std::optional<OutboundResult> first, second;
        rig.start(holder, first);
        rig.start(waiter, second);
        rig.run();
        REQUIRE((first && second));
        CHECK(first->failure.maybe_delivered);
        CHECK(second->failure.error == net::error::timed_out);
        CHECK_FALSE(second->failure.maybe_delivered);
        CHECK(server.requests() == 1);
    }
}

TEST_CASE("destroying the client cuts the calls in flight short") {
    LoopbackServer server;
    server.behave(ServerBehaviour::hang);
    ClientRig rig;
    std::optional<OutboundResult> result;
    rig.start(post(plain_url(server)), result);
    rig.ioc.restart();
    while (server.requests() == 0) rig.ioc.run_one_for(10ms);
    rig.stop();
    REQUIRE(result.has_value());
    CHECK(result->failure.error == net::error::operation_aborted);
    CHECK(result->failure.maybe_delivered);
}
