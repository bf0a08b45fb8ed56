// Tests of the blocking HTTP client against a tiny Beast server running in the test itself.
#include "adapters/http_client.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <thread>

#include "tests/support/process.hpp"
#include "tests/support/vectors.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using hodi::adapters::HttpClient;
using hodi::adapters::HttpClientSettings;

enum class Behaviour {
    echo,               ///< answer every request, keep the connection open
    close_after_reply,  ///< answer once (claiming keep-alive), then drop the connection
    never_reply,        ///< read the request and stay silent
};

// Answers with "METHOD TARGET\nCONTENT-TYPE\nBODY", so a test sees exactly what was sent.
http::response<http::string_body> echo(const http::request<http::string_body>& request) {
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/plain");
    response.body() = std::string(request.method_string()) + " " +
                      std::string(request.target()) + "\n" +
                      std::string(request[http::field::content_type]) + "\n" + request.body();
    response.keep_alive(true);
    response.prepare_payload();
    return response;
}

net::awaitable<void> serve_connection(tcp::socket socket, Behaviour behaviour) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> request;
        auto [read_ec, read] =
            co_await http::async_read(socket, buffer, request, net::as_tuple(net::use_awaitable));
        if (read_ec) co_return;
        if (behaviour == Behaviour::never_reply) {
            net::steady_timer timer(socket.get_executor(), std::chrono::seconds(30));
            co_await timer.async_wait(net::as_tuple(net::use_awaitable));
            co_return;
        }
        auto response = echo(request);
        auto [write_ec, written] = co_await http::async_write(socket, response,
                                                              net::as_tuple(net::use_awaitable));
        if (write_ec || behaviour == Behaviour::close_after_reply) co_return;
    }
}

net::awaitable<void> accept_loop(tcp::acceptor* acceptor, Behaviour behaviour,
                                 std::atomic<int>* accepted) {
    for (;;) {
        auto [ec, socket] = co_await acceptor->async_accept(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        ++*accepted;
        net::co_spawn(acceptor->get_executor(), serve_connection(std::move(socket), behaviour),
                      net::detached);
    }
}

// A loopback server on its own thread. Not thread-safe beyond the atomic counter.
class TestServer {
public:
    explicit TestServer(Behaviour behaviour)
        : acceptor_(ioc_, tcp::endpoint(net::ip::address_v4::loopback(), 0)) {
        net::co_spawn(ioc_, accept_loop(&acceptor_, behaviour, &accepted_), net::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~TestServer() {
        ioc_.stop();
        thread_.join();
    }
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    int accepted() const { return accepted_.load(); }

private:
    net::io_context ioc_{1};
    tcp::acceptor acceptor_;
    std::atomic<int> accepted_{0};
    std::thread thread_;
};

}  // namespace

TEST_CASE("a form post reaches the server as sent and its reply comes back whole") {
    // Goal: post_form sends method, target, content type and body unchanged. Method: echo server.
    TestServer server(Behaviour::echo);
    HttpClient client("127.0.0.1", server.port());
    const auto response = client.post_form("/ussd/at", "text=1%2A2");
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
    CHECK(response->content_type == "text/plain");
    CHECK(response->body == "POST /ussd/at\napplication/x-www-form-urlencoded\ntext=1%2A2");
}

TEST_CASE("requests on one client share one kept-alive connection") {
    // Goal: keep-alive works, as AT and the benchmark rely on. Method: three requests, count
    // connections on both sides.
    TestServer server(Behaviour::echo);
    HttpClient client("127.0.0.1", server.port());
    for (int i = 0; i < 3; ++i) REQUIRE(client.get("/health").has_value());
    const auto response = client.request("PUT", "/x", "application/json", "{}");
    REQUIRE(response.has_value());
    CHECK(response->body == "PUT /x\napplication/json\n{}");
    CHECK(client.connections_opened() == 1);
    CHECK(server.accepted() == 1);
}

TEST_CASE("a connection the server closed while idle is reopened once, transparently") {
    // Goal: an idle-closed keep-alive connection is not reported as a failure. Method: the
    // server drops the connection after each reply; every request must still succeed.
    TestServer server(Behaviour::close_after_reply);
    HttpClient client("127.0.0.1", server.port());
    for (int i = 0; i < 3; ++i) {
        const auto response = client.post_form("/ussd/at", "n=" + std::to_string(i));
        REQUIRE(response.has_value());
        CHECK(response->body.ends_with("n=" + std::to_string(i)));
    }
    CHECK(client.connections_opened() == 3);
}

TEST_CASE("a server that never answers fails the request with a timeout") {
    // Goal: the per-request timeout bounds a silent server. Method: 200 ms timeout.
    TestServer server(Behaviour::never_reply);
    HttpClient client("127.0.0.1", server.port(),
                      HttpClientSettings{.request_timeout = std::chrono::milliseconds(200)});
    const auto started = std::chrono::steady_clock::now();
    const auto response = client.post_form("/ussd/at", "text=");
    REQUIRE(response.has_error());
    CHECK(response.error() == beast::error::timeout);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("nothing listening on the port is reported as an error, not a crash") {
    // Goal: connection refused is a value. Method: a port that was free a moment ago.
    HttpClient client("127.0.0.1", hodi::test::free_loopback_port());
    const auto response = client.get("/");
    REQUIRE(response.has_error());
    CHECK(response.error() == net::error::connection_refused);
}

TEST_CASE("http URLs split into host, port and target") {
    // Goal: parse_http_url accepts what `hodi sim --url` is given. Method: valid and bad URLs.
    const auto full = hodi::adapters::parse_http_url("http://127.0.0.1:8080/ussd/at");
    REQUIRE(full.has_value());
    CHECK(full->host == "127.0.0.1");
    CHECK(full->port == 8080);
    CHECK(full->target == "/ussd/at");
    const auto bare = hodi::adapters::parse_http_url("HTTP://localhost");
    REQUIRE(bare.has_value());
    CHECK(bare->host == "localhost");
    CHECK(bare->port == 80);
    CHECK(bare->target == "/");
    const auto v6 = hodi::adapters::parse_http_url("http://[::1]:9000/a?b=c");
    REQUIRE(v6.has_value());
    CHECK(v6->host == "::1");
    CHECK(v6->port == 9000);
    CHECK(v6->target == "/a?b=c");
    for (const char* bad : {"https://x/", "127.0.0.1:80", "http://:80/", "http://h:0/",
                            "http://h:70000/", "http://h:8x/", "http://[::1/"}) {
        CAPTURE(bad);
        CHECK(hodi::adapters::parse_http_url(bad).has_error());
    }
}

TEST_CASE("form encoding matches the bytes Africa's Talking sends") {
    // Goal: the sim speaks AT's exact wire format. Method: encode the fields of the third-hop
    // vector and compare with its body_raw.
    const auto vector = hodi::test::load_vector("at_ussd_third_hop.json");
    const auto& http_part = vector.at("http").as_object();
    const auto& body = http_part.at("body").as_object();
    auto field = [&body](const char* name) { return std::string(body.at(name).as_string()); };
    const std::string session_id = field("sessionId"), service_code = field("serviceCode");
    const std::string phone = field("phoneNumber"), network = field("networkCode");
    const std::string text = field("text");
    const std::string encoded = hodi::adapters::form_encode({{"sessionId", session_id},
                                                             {"serviceCode", service_code},
                                                             {"phoneNumber", phone},
                                                             {"networkCode", network},
                                                             {"text", text}});
    CHECK(encoded == std::string(http_part.at("body_raw").as_string()));
}
