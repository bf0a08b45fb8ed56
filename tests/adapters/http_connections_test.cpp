// The server's connection caps over real loopback sockets: silent sockets are evicted for
// clients that speak, a server whose connections are all busy refuses the newcomer, and a
// connection that never sends a byte is closed quickly.
#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http_server.hpp"
#include "tests/adapters/raw_http.hpp"
#include "tests/adapters/ussd_fixture.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
using tcp = boost::asio::ip::tcp;

constexpr std::string_view quick_request =
    "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

// "/slow" waits `slow_for`; everything else answers at once.
class SlowHandler final : public adapters::HttpHandler {
public:
    net::awaitable<adapters::HttpReply> handle(adapters::HttpRequest request) override {
        if (request.path == "/slow") {
            ++started;
            net::steady_timer timer(co_await net::this_coro::executor, 600ms);
            co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        }
        co_return adapters::HttpReply{.body = "ok"};
    }
    std::atomic<int> started{0};
};

// Waits (bounded) until `done` holds; the server registers connections on its own thread.
template <class Condition>
bool eventually(Condition done) {
    for (int tries = 0; tries < 400; ++tries) {
        if (done()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

// Sockets connected to the server that send nothing.
std::vector<tcp::socket> silent_sockets(net::io_context& io, std::uint16_t port, int count) {
    std::vector<tcp::socket> sockets;
    for (int index = 0; index < count; ++index) {
        sockets.emplace_back(io);
        sockets.back().connect({boost::asio::ip::make_address("127.0.0.1"), port});
    }
    return sockets;
}

// Whether the server closed `socket` (a read sees end of file) within `wait`.
bool closed_by_server(tcp::socket& socket, std::chrono::milliseconds wait) {
    socket.non_blocking(true);
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
        char byte = 0;
        boost::system::error_code ec;
        socket.read_some(net::buffer(&byte, 1), ec);
        if (ec == net::error::eof || ec == net::error::connection_reset) return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

}  // namespace

TEST_CASE("at the connection cap a client that speaks evicts the longest-open silent one") {
    // Goal: sockets opened and left silent cannot lock out real clients (1,100 of them at a
    // 1,024 descriptor limit once did). Method: a cap of 4 filled by silent sockets; a request
    // on a fifth connection is served, and the oldest silent socket is the one closed.
    auto handler = std::make_shared<SlowHandler>();
    TestServer server(handler, adapters::HttpServerSettings{.connections_max = 4});
    net::io_context io;
    auto silent = silent_sockets(io, server.port(), 4);
    REQUIRE(eventually([&] { return server.server().connections() == 4; }));
    const RawExchange served = raw_exchange(server.port(), quick_request, 2000ms);
    CHECK(served.received.starts_with("HTTP/1.1 200 "));
    CHECK(closed_by_server(silent[0], 1000ms));
    CHECK_FALSE(closed_by_server(silent[3], 50ms));
    CHECK(server.server().connections() <= 4);
}

TEST_CASE("when every connection is busy the newcomer is refused, not queued") {
    auto handler = std::make_shared<SlowHandler>();
    TestServer server(handler, adapters::HttpServerSettings{.connections_max = 2});
    auto first = std::async(std::launch::async, [&server] {
        return raw_exchange(server.port(), "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", 3000ms);
    });
    auto second = std::async(std::launch::async, [&server] {
        return raw_exchange(server.port(), "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", 3000ms);
    });
    REQUIRE(eventually([&] { return handler->started == 2; }));
    const RawExchange refused = raw_exchange(server.port(), quick_request, 2000ms);
    CHECK(refused.received.empty());
    CHECK(refused.closed);
    CHECK(first.get().received.starts_with("HTTP/1.1 200 "));
    CHECK(second.get().received.starts_with("HTTP/1.1 200 "));
}

TEST_CASE("at the per-peer cap a peer's newcomer evicts that peer's own silent socket") {
    auto handler = std::make_shared<SlowHandler>();
    TestServer server(handler, adapters::HttpServerSettings{.connections_per_peer_max = 2});
    net::io_context io;
    auto silent = silent_sockets(io, server.port(), 2);
    REQUIRE(eventually([&] { return server.server().connections() == 2; }));
    CHECK(raw_exchange(server.port(), quick_request, 2000ms).received.starts_with("HTTP/1.1 200"));
    CHECK(closed_by_server(silent[0], 1000ms));
}

TEST_CASE("a connection that sends nothing is closed after the first-byte timeout") {
    TestServer server(std::make_shared<SlowHandler>(),
                      adapters::HttpServerSettings{.idle_timeout = 60s,
                                                   .first_byte_timeout = 150ms});
    net::io_context io;
    auto silent = silent_sockets(io, server.port(), 1);
    const auto started = std::chrono::steady_clock::now();
    CHECK(closed_by_server(silent[0], 3000ms));
    CHECK(std::chrono::steady_clock::now() - started < 2000ms);
    // A keep-alive connection between requests waits the (long) idle timeout instead.
    const RawExchange kept = raw_exchange(server.port(), "GET /x HTTP/1.1\r\nHost: x\r\n\r\n",
                                          500ms);
    CHECK(kept.received.starts_with("HTTP/1.1 200 "));
    CHECK_FALSE(kept.closed);
}

}  // namespace hodi::test
