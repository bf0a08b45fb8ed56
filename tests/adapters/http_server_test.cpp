// The HTTP server over real loopback sockets: keep-alive, limits, malformed requests, slow
// clients and graceful shutdown.
#include "adapters/http_server.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>

#include "adapters/http_client.hpp"
#include "tests/adapters/raw_http.hpp"
#include "tests/adapters/ussd_fixture.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;

// Echoes the body; "/slow" first waits `slow_for`, flagging when it has started.
class EchoHandler final : public adapters::HttpHandler {
public:
    net::awaitable<adapters::HttpReply> handle(adapters::HttpRequest request) override {
        if (request.target == "/slow") {
            started = true;
            net::steady_timer timer(co_await net::this_coro::executor, slow_for);
            co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        }
        co_return adapters::HttpReply{.body = std::move(request.body)};
    }
    std::chrono::milliseconds slow_for{300};
    std::atomic<bool> started{false};
};

// Fails on purpose: "/now" before it has an awaitable to give, anything else inside it.
class ThrowingHandler final : public adapters::HttpHandler {
public:
    net::awaitable<adapters::HttpReply> handle(adapters::HttpRequest request) override {
        if (request.target == "/now") throw std::runtime_error("failed before awaiting");
        return fail_inside();
    }

private:
    static net::awaitable<adapters::HttpReply> fail_inside() {
        throw std::runtime_error("failed inside the coroutine");
        co_return adapters::HttpReply{};
    }
};

}  // namespace

TEST_CASE("a handler that throws is answered 500 and the server goes on serving") {
    // Goal: a bug in a route costs one request, not the process. Method: a handler that throws
    // before and inside its coroutine; each request gets a 500 that closes its connection, and
    // the next connection is served again.
    TestServer server(std::make_shared<ThrowingHandler>());
    for (const char* path : {"/now", "/later", "/now"}) {
        CAPTURE(path);
        const RawExchange exchange = raw_exchange(
            server.port(), "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n\r\n", 2000ms);
        CHECK(exchange.received.starts_with("HTTP/1.1 500 "));
        CHECK(raw_body(exchange.received) == "internal error");
        CHECK(exchange.closed);
    }
}

TEST_CASE("many requests share one keep-alive connection") {
    // Goal: AT's connection reuse works and every answer matches its request. Method: 200
    // requests through one client; it must have opened a single connection.
    auto handler = std::make_shared<EchoHandler>();
    TestServer server(handler);
    adapters::HttpClient client("127.0.0.1", server.port());
    for (int index = 0; index < 200; ++index) {
        const std::string body = "hop " + std::to_string(index);
        const auto response = client.request("POST", "/echo", "text/plain", body);
        REQUIRE(response.has_value());
        CHECK(response->status == 200);
        CHECK(response->body == body);
    }
    CHECK(client.connections_opened() == 1);
    CHECK(server.server().connections() == 1);
}

TEST_CASE("requests are framed alike whole, pipelined or split, with strands or without") {
    // Goal: the server parses what its first read brought and reads on only for the rest.
    // Method: on a server with strands and on a one-thread server: two requests in one write
    // (both answered, in order), then one request whose body comes in a second write.
    for (const bool one_thread : {false, true}) {
        CAPTURE(one_thread);
        TestServer server(std::make_shared<EchoHandler>(),
                          adapters::HttpServerSettings{.one_thread = one_thread});
        const RawExchange pipelined = raw_exchange(
            server.port(),
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirstPOST /echo "
            "HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 6\r\n\r\nsecond",
            2000ms);
        CHECK(pipelined.closed);
        const std::size_t first = pipelined.received.find("\r\n\r\nfirst");
        const std::size_t second = pipelined.received.find("\r\n\r\nsecond");
        CHECK(first != std::string::npos);
        CHECK(second != std::string::npos);
        CHECK(first < second);
        const RawExchange split = raw_exchange(
            server.port(),
            {"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
             "Content-Length: 10\r\n\r\nhal",
             "f later"},
            50ms, 2000ms);
        CHECK(split.received.starts_with("HTTP/1.1 200 "));
        CHECK(raw_body(split.received) == "half later");
    }
}

TEST_CASE("a body over the limit is refused with 413 and a reason") {
    // Goal: nobody makes hodi buffer a large body. Method: a 1 KiB limit and a 2 KiB body.
    auto handler = std::make_shared<EchoHandler>();
    TestServer server(handler, adapters::HttpServerSettings{.body_limit = 1024});
    adapters::HttpClient client("127.0.0.1", server.port());
    const auto response = client.request("POST", "/echo", "text/plain", std::string(2048, 'x'));
    REQUIRE(response.has_value());
    CHECK(response->status == 413);
    CHECK(response->body.find("1024 bytes") != std::string::npos);
    const auto fits = client.request("POST", "/echo", "text/plain", std::string(1024, 'x'));
    REQUIRE(fits.has_value());
    CHECK(fits->status == 200);
}

TEST_CASE("headers over the limit are refused with 431") {
    // Goal: the header limit holds. Method: one 10 KiB header against the 8 KiB default.
    TestServer server(std::make_shared<EchoHandler>());
    const std::string request = "GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                std::string(10 * 1024, 'a') + "\r\n\r\n";
    const RawExchange exchange = raw_exchange(server.port(), request, 2000ms);
    CHECK(exchange.received.starts_with("HTTP/1.1 431 "));
    CHECK(exchange.closed);
}

TEST_CASE("malformed HTTP is answered with 400") {
    // Goal: garbage on the socket gets a 400, not a crash or a hang. Method: a bad request line
    // and a bad Content-Length.
    TestServer server(std::make_shared<EchoHandler>());
    for (const std::string_view garbage :
         {"NOT HTTP AT ALL\r\n\r\n", "POST /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n"}) {
        CAPTURE(garbage);
        const RawExchange exchange = raw_exchange(server.port(), garbage, 2000ms);
        CHECK(exchange.received.starts_with("HTTP/1.1 400 "));
        CHECK(exchange.closed);
    }
}

TEST_CASE("an ambiguous Transfer-Encoding is refused and the request behind it never served") {
    // Goal: no request smuggling. A front proxy that reads "xchunked" or "chunked, identity"
    // differently from us would see one request where we saw two. Method: each framing with a
    // Content-Length covering a first body and a second request pipelined behind it; the
    // answer must be one 400 and a closed connection, never a 200.
    TestServer server(std::make_shared<EchoHandler>());
    for (const std::string_view encoding :
         {"xchunked", "chunked, identity", "identity", "chunked\r\nTransfer-Encoding: chunked",
          "chunked\r\nContent-Length: 5"}) {
        CAPTURE(encoding);
        const std::string smuggled = "GET /second HTTP/1.1\r\nHost: x\r\n\r\n";
        const std::string request = "POST /first HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " +
                                    std::string(encoding) + "\r\nContent-Length: 5\r\n\r\n" +
                                    "0\r\n\r\n" + smuggled;
        const RawExchange whole = raw_exchange(server.port(), request, 2000ms);
        CHECK(whole.received.starts_with("HTTP/1.1 400 "));
        CHECK(whole.received.find("200 OK") == std::string::npos);
        CHECK(whole.closed);
        // Split after the header, so the check runs on the slow path too.
        const std::size_t header_end = request.find("\r\n\r\n") + 4;
        const RawExchange split = raw_exchange(
            server.port(),
            {std::string_view(request).substr(0, header_end - 2),
             std::string_view(request).substr(header_end - 2)},
            50ms, 2000ms);
        CHECK(split.received.starts_with("HTTP/1.1 400 "));
        CHECK(split.received.find("200 OK") == std::string::npos);
    }
    // A plain chunked body is still read.
    const RawExchange chunked = raw_exchange(
        server.port(),
        "POST /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: Chunked\r\n"
        "\r\n3\r\nabc\r\n0\r\n\r\n",
        2000ms);
    CHECK(chunked.received.starts_with("HTTP/1.1 200 "));
}

TEST_CASE("a client that stalls mid-request is disconnected after the read timeout") {
    // Goal: slow clients cannot hold connections. Method: a 200 ms read timeout; send half a
    // request and wait; the server must close well before the 3 s we are willing to wait.
    auto handler = std::make_shared<EchoHandler>();
    TestServer server(handler, adapters::HttpServerSettings{.read_timeout = 200ms});
    const RawExchange exchange = raw_exchange(
        server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", 3000ms);
    CHECK(exchange.closed);
    CHECK(exchange.received.empty());
    CHECK(exchange.elapsed >= 150ms);
    CHECK(exchange.elapsed < 2000ms);
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout") {
    // Goal: idle connections do not pile up. Method: a 200 ms idle timeout, one full request,
    // then silence; the server closes the connection.
    TestServer server(std::make_shared<EchoHandler>(),
                      adapters::HttpServerSettings{.idle_timeout = 200ms});
    const RawExchange exchange =
        raw_exchange(server.port(), "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", 3000ms);
    CHECK(exchange.received.starts_with("HTTP/1.1 200 OK"));
    CHECK(exchange.closed);
    CHECK(exchange.elapsed < 2000ms);
}

TEST_CASE("graceful shutdown lets an in-flight request finish") {
    // Goal: SIGTERM never cuts a hop in half. Method: a request that takes 300 ms; shut down
    // while it runs; the client still gets its 200 and the server drains.
    auto handler = std::make_shared<EchoHandler>();
    net::io_context io;
    adapters::HttpServer server(io, adapters::HttpServerSettings{.port = 0}, handler);
    REQUIRE_FALSE(server.start());
    std::thread runner([&io] { io.run(); });
    auto reply = std::async(std::launch::async, [port = server.port()] {
        adapters::HttpClient client("127.0.0.1", port);
        return client.request("POST", "/slow", "text/plain", "still here");
    });
    for (int wait = 0; wait < 200 && !handler->started; ++wait) std::this_thread::sleep_for(5ms);
    REQUIRE(handler->started);
    std::promise<void> drained;
    server.shutdown([&drained] { drained.set_value(); });
    const auto response = reply.get();
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
    CHECK(response->body == "still here");
    CHECK(drained.get_future().wait_for(2s) == std::future_status::ready);
    adapters::HttpClient late("127.0.0.1", server.port());
    CHECK_FALSE(late.get("/echo").has_value());
    io.stop();
    runner.join();
}

}  // namespace hodi::test
