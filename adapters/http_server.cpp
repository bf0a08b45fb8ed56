// The Beast HTTP/1.1 server: an accept loop, one coroutine per connection on its own strand,
// keep-alive, size limits, read and idle timeouts, and a graceful shutdown.
#include "adapters/http_server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <charconv>
#include <mutex>
#include <optional>

#include "adapters/http_connections.hpp"
#include "adapters/http_wire.hpp"
#include "adapters/log_text.hpp"

namespace hodi::adapters {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using http_wire::error_reply;
using http_wire::format_head;
using http_wire::framing_error;
using http_wire::make_request;
using http_wire::read_failure_reply;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t first_read_bytes = 4096;  // one read usually holds a whole AT request
constexpr std::chrono::milliseconds accept_retry_delay{50};  // after EMFILE and the like

constexpr std::chrono::minutes accept_log_interval{1};

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<State> {
    net::io_context& io;
    HttpServerSettings settings;
    std::shared_ptr<HttpHandler> handler;
    tcp::acceptor acceptor;
    net::steady_timer grace_timer;
    std::atomic<bool> stopping{false};

    ConnectionRegistry connections;
    LogThrottle accept_failures{accept_log_interval};

    mutable std::mutex mutex;  // guards the members below
    std::function<void()> on_drained;
    bool drained_called = false;

    State(net::io_context& context, HttpServerSettings server_settings,
          std::shared_ptr<HttpHandler> server_handler)
        : io(context),
          settings(std::move(server_settings)),
          handler(std::move(server_handler)),
          acceptor(net::make_strand(context)),
          grace_timer(acceptor.get_executor()),
          connections(settings.connections_max, settings.connections_per_peer_max) {}

    void remove(ConnectionRegistry::Slots::iterator slot);
    void maybe_drained(std::unique_lock<std::mutex>& lock);
};

void HttpServer::State::remove(ConnectionRegistry::Slots::iterator slot) {
    connections.remove(slot);
    std::unique_lock lock(mutex);
    maybe_drained(lock);
}

// Runs on_drained once, when shutting down and the last connection is gone. Unlocks `lock`.
void HttpServer::State::maybe_drained(std::unique_lock<std::mutex>& lock) {
    if (!stopping || !connections.empty() || drained_called) return;
    drained_called = true;
    std::function<void()> callback = std::move(on_drained);
    lock.unlock();
    // The grace timer would otherwise keep io_context::run() busy until it fires.
    net::post(grace_timer.get_executor(),
              [self = shared_from_this()] { self->grace_timer.cancel(); });
    if (callback) callback();
}

namespace {

using State = HttpServer::State;

// Reads one request into `parser`. The first byte of a connection's first request must come
// within first_byte_timeout, of a later one within idle_timeout; the rest within read_timeout.
// Returns the read error, if any.
net::awaitable<error_code> read_request(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                        http::request_parser<http::string_body>& parser,
                                        const HttpServerSettings& settings,
                                        ConnectionSlot& slot, bool first) {
    if (buffer.size() == 0) {
        stream.expires_after(first ? settings.first_byte_timeout : settings.idle_timeout);
        auto [ec, bytes] = co_await stream.async_read_some(buffer.prepare(first_read_bytes),
                                                           use_tuple);
        if (ec) co_return ec;
        buffer.commit(bytes);
    }
    slot.busy = true;
    parser.header_limit(static_cast<std::uint32_t>(settings.header_limit));
    parser.body_limit(settings.body_limit);
    // One read usually brings the whole request: parse it here, and go back to the socket only
    // for the rest (a composed read would complete through the queue even with nothing to read).
    // The parser stops after the header, so its framing is checked before any body is read.
    error_code parse_error;
    bool framing_checked = false;
    while (buffer.size() > 0 && !parser.is_done()) {
        const std::size_t used = parser.put(buffer.data(), parse_error);
        buffer.consume(used);
        if (parse_error == http::error::need_more) {
            parse_error = {};
            break;
        }
        if (parse_error) co_return parse_error;
        if (parser.is_header_done() && !framing_checked) {
            framing_checked = true;
            if (const error_code bad = framing_error(parser)) co_return bad;
        }
        if (used == 0) break;
    }
    if (parser.is_header_done() && !framing_checked) {
        if (const error_code bad = framing_error(parser)) co_return bad;
    }
    if (parser.is_done()) co_return error_code{};
    stream.expires_after(settings.read_timeout);
    if (!parser.is_header_done()) {
        auto [ec, bytes] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
        (void)bytes;
        if (ec) co_return ec;
        if (const error_code bad = framing_error(parser)) co_return bad;
        if (parser.is_done()) co_return error_code{};
    }
    auto [ec, bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
    (void)bytes;
    co_return ec;
}

// Starts writing `reply` (head and body, or the head alone); the caller awaits the
// (error, bytes) result. Not a coroutine: awaiting the write directly saves a frame a request.
auto write_reply(beast::tcp_stream& stream, std::string& head, const HttpReply& reply,
                 unsigned version, bool keep_alive, bool head_only,
                 const HttpServerSettings& settings) {
    format_head(head, reply, version, keep_alive);
    const std::array<net::const_buffer, 2> buffers{
        net::buffer(head), head_only ? net::const_buffer{} : net::buffer(reply.body)};
    stream.expires_after(settings.read_timeout);
    return net::async_write(stream, buffers, use_tuple);
}

// A handler that throws (a bug, or bad_alloc) gets a 500, not a crash.
HttpReply handler_failed(const std::exception& error) {
    spdlog::error("http handler failed: {}", error.what());
    return error_reply(500, "internal error");
}

// Serves one connection until it closes, the peer goes quiet, or the server shuts down.
net::awaitable<void> serve_connection(beast::tcp_stream stream, std::shared_ptr<State> state) {
    error_code peer_error;
    // Asked once per connection: every request on it comes from the same peer.
    const tcp::endpoint peer = stream.socket().remote_endpoint(peer_error);
    auto slot = std::make_shared<ConnectionSlot>();
    slot->executor = stream.get_executor();
    slot->peer = unmapped(peer.address());
    slot->shutdown = [&stream] {
        error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream.close();
    };
    const auto registered = state->connections.admit(slot);
    if (!registered) {
        // At a cap with every connection busy: the newcomer is the one to go.
        slot->shutdown();
        co_return;
    }
    const HttpServerSettings& settings = state->settings;
    beast::flat_buffer buffer;
    std::string head;
    for (bool first = true; !state->stopping; first = false) {
        http::request_parser<http::string_body> parser;
        const error_code read_error =
            co_await read_request(stream, buffer, parser, settings, *slot, first);
        if (read_error) {
            if (auto reply = read_failure_reply(read_error, settings)) {
                co_await write_reply(stream, head, *reply, 11, false, false, settings);
            }
            break;
        }
        auto& message = parser.get();
        const unsigned version = message.version();
        const bool head_only = message.method() == http::verb::head;
        HttpReply reply;
        std::string_view route;
        const bool logged = settings.access_log != HttpServerSettings::AccessLog::off;
        const auto started = logged ? std::chrono::steady_clock::now()
                                    : std::chrono::steady_clock::time_point{};
        HttpRequest request = make_request(message, peer, settings);
        const net::ip::address client = request.client;
        const HttpMethod method = request.method;
        if (logged) request.matched_route = &route;
        try {
            reply = co_await state->handler->handle(std::move(request));
        } catch (const std::exception& error) {
            reply = handler_failed(error);
        }
        if (logged) {
            http_wire::log_access(settings.access_log, client, method_name(method), route,
                                  reply.status, std::chrono::steady_clock::now() - started);
        }
        const bool keep_alive = message.keep_alive() && !reply.close && !state->stopping;
        const auto [write_error, written] = co_await write_reply(stream, head, reply, version,
                                                                 keep_alive, head_only, settings);
        (void)written;
        slot->busy = false;
        if (write_error || !keep_alive) break;
    }
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    slot->shutdown = nullptr;
    state->remove(*registered);
}

void log_if_failed(std::exception_ptr error) {
    if (!error) return;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& failure) {
        spdlog::error("http connection failed: {}", failure.what());
    }
}

net::any_io_executor connection_executor(State& state) {
    if (state.settings.one_thread) return state.io.get_executor();
    return net::make_strand(state.io);
}

net::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    net::steady_timer retry(state->acceptor.get_executor());
    while (!state->stopping) {
        auto [ec, socket] = co_await state->acceptor.async_accept(connection_executor(*state),
                                                                  use_tuple);
        if (state->stopping || ec == net::error::operation_aborted) break;
        if (ec) {
            // Out of file descriptors and the like: free one held by an idle connection, pause
            // rather than spin, and say so once a minute rather than every 50 ms.
            const bool evicted = state->connections.evict_one_idle();
            std::uint64_t held = 0;
            if (state->accept_failures.allow(std::chrono::steady_clock::now(), held)) {
                spdlog::warn("http accept failed: {} ({} more since the last line; {} open "
                             "connections{})",
                             ec.message(), held, state->connections.size(),
                             evicted ? ", closing an idle one" : "");
            }
            retry.expires_after(accept_retry_delay);
            co_await retry.async_wait(use_tuple);
            continue;
        }
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto executor = socket.get_executor();
        net::co_spawn(executor, serve_connection(beast::tcp_stream(std::move(socket)), state),
                      log_if_failed);
    }
}

}  // namespace

HttpServer::HttpServer(net::io_context& io, HttpServerSettings settings,
                       std::shared_ptr<HttpHandler> handler)
    : state_(std::make_shared<State>(io, std::move(settings), std::move(handler))) {}

HttpServer::~HttpServer() = default;

error_code HttpServer::start() {
    error_code ec;
    const auto address = net::ip::make_address(state_->settings.address, ec);
    if (ec) return ec;
    const tcp::endpoint endpoint(address, state_->settings.port);
    auto& acceptor = state_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        error_code ignored;
        acceptor.close(ignored);
        return ec;
    }
    net::co_spawn(acceptor.get_executor(), accept_loop(state_), log_if_failed);
    return {};
}

std::uint16_t HttpServer::port() const {
    error_code ec;
    const auto endpoint = state_->acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

std::size_t HttpServer::connections() const { return state_->connections.size(); }

void HttpServer::shutdown(std::function<void()> on_drained) {
    auto state = state_;
    {
        std::unique_lock lock(state->mutex);
        if (state->stopping.exchange(true)) return;
        state->on_drained = std::move(on_drained);
    }
    net::post(state->acceptor.get_executor(), [state] {
        error_code ignored;
        state->acceptor.close(ignored);
        if (const std::lock_guard lock(state->mutex); state->drained_called) return;
        state->grace_timer.expires_after(state->settings.shutdown_grace);
        state->grace_timer.async_wait([state](const error_code& ec) {
            if (!ec) state->connections.close_all(false);
        });
    });
    state->connections.close_all(true);
    std::unique_lock lock(state->mutex);
    state->maybe_drained(lock);
}

}  // namespace hodi::adapters
