// The HTTP/1.1 server every hodi endpoint sits behind (Beast on C++20 coroutines). Beast stays
// inside http_server.cpp: handlers see the plain HttpRequest and HttpReply of http_message.hpp.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/address_range.hpp"
#include "adapters/http_message.hpp"

namespace hodi::adapters {

namespace net = boost::asio;

// Serves requests; the Router (adapters/router.hpp) is the one hodi uses. Implementations are
// thread-safe: one handler serves every connection.
class HttpHandler {
public:
    virtual ~HttpHandler() = default;
    virtual net::awaitable<HttpReply> handle(HttpRequest request) = 0;
};

struct HttpServerSettings {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  ///< 0 picks a free port (tests); see HttpServer::port()
    std::size_t header_limit = 8 * 1024;  ///< bytes of request line + headers, else 431
    std::size_t body_limit = 16 * 1024;   ///< bytes of body, else 413
    // A request must arrive whole within this time of its first byte (slow clients are
    // dropped). AT connects with a 10 s timeout of its own (PROTOCOLS.md §1.5).
    std::chrono::milliseconds read_timeout{10'000};
    // How long a keep-alive connection may sit idle between requests before we close it.
    std::chrono::milliseconds idle_timeout{60'000};
    // How long a new connection may wait before its first byte: a client that connects and
    // says nothing only holds a descriptor.
    std::chrono::milliseconds first_byte_timeout{5'000};
    // Open connections at once (0: the descriptor limit less a reserve), and from one address
    // (0: no cap). At a cap a newcomer evicts the longest-open idle connection (its own peer's
    // at the per-peer cap); it is refused only when all are busy. AT's gateways open many
    // connections from few addresses: keep the per-peer cap generous.
    std::size_t connections_max = 0;
    std::size_t connections_per_peer_max = 2'000;
    // On shutdown, how long in-flight requests may take to finish before sockets are closed.
    std::chrono::milliseconds shutdown_grace{10'000};
    // Behind a reverse proxy: the header naming the client, e.g. "X-Forwarded-For" (its last
    // item is the address the proxy saw) or "X-Real-IP". Believed only when the peer is one of
    // `trusted_proxies`; from anyone else the peer's own address is the client. Empty: the peer.
    std::string client_header{};
    std::vector<AddressRange> trusted_proxies = loopback_ranges();
    // One log line per request (peer, method, route pattern, status, latency; never a body, a
    // path or a header), off by default: `text` or `json`.
    enum class AccessLog : std::uint8_t { off, text, json };
    AccessLog access_log = AccessLog::off;
    // Set when the io_context runs on exactly one thread: connections then use its executor
    // directly instead of a strand each, which orders nothing a single thread does not already
    // order and costs a lock and a queue on every completion.
    bool one_thread = false;
};

// Accepts connections and serves each on its own strand (unless one_thread) until it closes.
// The owner runs the io_context on as many threads as it likes. start() and shutdown() may be
// called from any thread; the server must outlive the io_context's run() calls.
class HttpServer {
public:
    HttpServer(net::io_context& io, HttpServerSettings settings,
               std::shared_ptr<HttpHandler> handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds, listens and starts accepting. Fails (address in use, bad address) as a value.
    boost::system::error_code start();
    // The bound port (useful after binding port 0).
    std::uint16_t port() const;

    // Stops accepting, closes idle connections, lets in-flight requests finish within
    // shutdown_grace and then closes whatever is left. `on_drained` runs (on an io thread)
    // once every connection is gone. Calling it twice is harmless.
    void shutdown(std::function<void()> on_drained = {});

    std::size_t connections() const;  ///< open connections right now

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace hodi::adapters
