// The benchmark's ceiling: the least an HTTP server on Beast coroutines can do per request
// (read it, answer "END ok"), written the way a hodi connection loop is (keep-alive, one
// coroutine per connection, a timeout on every read). hodi's hop rate is reported against it.
//
// Usage: bench_ceiling_server [--listen HOST:PORT]   (default 127.0.0.1:8090). One thread.
// Stops on SIGINT or SIGTERM.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// The same budgets a hodi connection works under, so the ceiling pays for its timers too.
constexpr std::chrono::seconds read_timeout{10};
constexpr std::size_t body_limit = 16 * 1024;

// Serves one connection until the client closes it or stops sending.
net::awaitable<void> serve_connection(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(body_limit);
        stream.expires_after(read_timeout);
        auto [read_ec, read] = co_await http::async_read(stream, buffer, parser,
                                                         net::as_tuple(net::use_awaitable));
        if (read_ec) break;
        const auto& request = parser.get();
        http::response<http::string_body> response{http::status::ok, request.version()};
        response.set(http::field::content_type, "text/plain");
        response.body() = "END ok";
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        stream.expires_after(read_timeout);
        auto [write_ec, written] = co_await http::async_write(stream, response,
                                                              net::as_tuple(net::use_awaitable));
        if (write_ec || !response.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> accept_loop(tcp::acceptor* acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor->async_accept(net::as_tuple(net::use_awaitable));
        if (ec == net::error::operation_aborted) co_return;
        if (ec) continue;
        socket.set_option(tcp::no_delay(true));
        net::co_spawn(acceptor->get_executor(),
                      serve_connection(beast::tcp_stream(std::move(socket))), net::detached);
    }
}

bool parse_listen(const std::string& listen, std::string& host, unsigned short& port) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) return false;
    host = listen.substr(0, colon);
    const int value = std::atoi(listen.c_str() + colon + 1);
    if (value <= 0 || value > 65535) return false;
    port = static_cast<unsigned short>(value);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::string listen = "127.0.0.1:8090";
    if (argc == 3 && std::strcmp(argv[1], "--listen") == 0) {
        listen = argv[2];
    } else if (argc != 1) {
        std::fprintf(stderr, "usage: %s [--listen HOST:PORT]\n", argv[0]);
        return 2;
    }
    std::string host;
    unsigned short port = 0;
    if (!parse_listen(listen, host, port)) {
        std::fprintf(stderr, "--listen: expected HOST:PORT, got %s\n", listen.c_str());
        return 2;
    }
    net::io_context ioc{1};
    beast::error_code ec;
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint endpoint(net::ip::make_address(host, ec), port);
    if (!ec) acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        std::fprintf(stderr, "cannot listen on %s: %s\n", listen.c_str(), ec.message().c_str());
        return 1;
    }
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&ioc](const beast::error_code&, int) { ioc.stop(); });
    net::co_spawn(ioc, accept_loop(&acceptor), net::detached);
    std::fprintf(stderr, "ceiling server on %s\n", listen.c_str());
    ioc.run();
    return 0;
}
