// hodi's outbound HTTP client; see outbound_http.hpp. Every call runs as one coroutine on the
// client's strand, which owns the slot queue, the idle connections and the counters, so none
// of them needs a lock.
#include "adapters/outbound_http.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <deque>
#include <map>
#include <set>
#include <stdexcept>

namespace hodi::adapters {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

namespace {

// One TCP connection, plain or wrapped in TLS, with what was read past the last reply.
struct Connection {
    std::string origin;  ///< "https://host:port", the pool's key and the logs' name for it
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    Deadline idle_since{};

    beast::tcp_stream& tcp() { return secure ? secure->next_layer() : *plain; }

    void close() {
        error_code ignored;
        tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp().socket().close(ignored);
    }
};

struct SlotWaiter {
    explicit SlotWaiter(net::steady_timer waiting) : timer(std::move(waiting)) {}
    net::steady_timer timer;
    bool granted = false;
};

std::string origin_of(const OutboundUrl& url) {
    const bool ipv6 = url.host.find(':') != std::string::npos;
    std::string host = ipv6 ? "[" + url.host + "]" : url.host;
    return std::string(url.tls ? "https://" : "http://") + host + ":" + std::to_string(url.port);
}

std::string host_field(const OutboundUrl& url) {
    const bool ipv6 = url.host.find(':') != std::string::npos;
    std::string host = ipv6 ? "[" + url.host + "]" : url.host;
    const std::uint16_t default_port = url.tls ? 443 : 80;
    if (url.port != default_port) host += ":" + std::to_string(url.port);
    return host;
}

bool is_ip_literal(const std::string& host) {
    error_code ec;
    (void)net::ip::make_address(host, ec);
    return !ec;
}

// Beast reports its own deadline as beast::error::timeout; callers see one error for it.
error_code normalised(error_code ec) {
    if (ec == beast::error::timeout) return make_error_code(net::error::timed_out);
    return ec;
}

OutboundFailure failure(error_code ec, bool maybe_delivered, std::string detail) {
    ec = normalised(ec);
    return OutboundFailure{ec, maybe_delivered, std::move(detail) + ": " + ec.message()};
}

// A kept-alive connection that is readable while nothing was asked has been closed by the
// server (0 bytes), reset (an error), or carries bytes no request asked for (a TLS alert, a
// stray reply): none of them may carry the next request.
bool is_stale(Connection& connection) {
    if (connection.buffer.size() != 0) return true;
    char byte = 0;
    const auto peeked = ::recv(connection.tcp().socket().native_handle(), &byte, 1,
                               MSG_PEEK | MSG_DONTWAIT);
    if (peeked >= 0) return true;
    return errno != EAGAIN && errno != EWOULDBLOCK;
}

http::request<http::string_body> wire_request(const OutboundRequest& request,
                                              const OutboundUrl& url) {
    http::request<http::string_body> message;
    message.method(request.method == HttpMethod::get ? http::verb::get : http::verb::post);
    message.target(url.target);
    message.version(11);
    message.set(http::field::host, host_field(url));
    message.set(http::field::user_agent, "hodi");
    for (const auto& [name, value] : request.headers) message.set(name, value);
    if (!request.content_type.empty()) message.set(http::field::content_type, request.content_type);
    message.body() = request.body;
    message.keep_alive(true);
    message.prepare_payload();
    return message;
}

ssl::context make_tls_client(const OutboundHttpSettings& settings) {
    ssl::context context(ssl::context::tls_client);
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1);
    context.set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (settings.ca_file) {
        context.load_verify_file(settings.ca_file->string(), ec);
        if (ec) {
            throw std::runtime_error(settings.ca_file->string() +
                                     ": cannot read the CA file: " + ec.message());
        }
    } else {
        context.set_default_verify_paths(ec);
        if (ec) throw std::runtime_error("cannot load the system's CA store: " + ec.message());
    }
    return context;
}

}  // namespace

struct OutboundHttp::Impl {
    Impl(net::any_io_executor executor, OutboundHttpSettings client_settings)
        : strand(net::make_strand(std::move(executor))),
          settings(std::move(client_settings)),
          tls_client(make_tls_client(settings)) {}

    net::strand<net::any_io_executor> strand;
    OutboundHttpSettings settings;
    ssl::context tls_client;

    // Owned by the strand.
    bool stopped = false;
    std::size_t in_flight = 0;
    std::deque<SlotWaiter*> waiters;
    std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
    std::set<Connection*> active;

    std::atomic<std::uint64_t> calls{0}, replies{0}, failures{0}, timed_out{0};
    std::atomic<std::uint64_t> connections_opened{0}, waited_for_slot{0};

    // A finished call's slot goes straight to the longest waiter, so the count never dips
    // below the cap while calls queue.
    void release_slot() {
        if (!waiters.empty()) {
            SlotWaiter* next = waiters.front();
            waiters.pop_front();
            next->granted = true;
            next->timer.cancel();
            return;
        }
        --in_flight;
    }

    std::unique_ptr<Connection> take_idle(const std::string& origin) {
        auto found = idle.find(origin);
        if (found == idle.end()) return nullptr;
        auto& pool = found->second;
        const Deadline now = Clock::now();
        while (!pool.empty()) {
            std::unique_ptr<Connection> connection = std::move(pool.back());
            pool.pop_back();
            if (now - connection->idle_since < settings.idle_timeout && !is_stale(*connection)) {
                return connection;
            }
            connection->close();
        }
        return nullptr;
    }

    void keep_idle(std::unique_ptr<Connection> connection) {
        auto& pool = idle[connection->origin];
        if (stopped || pool.size() >= settings.idle_per_origin) {
            connection->close();
            return;
        }
        connection->idle_since = Clock::now();
        pool.push_back(std::move(connection));
    }

    void stop() {
        stopped = true;
        for (SlotWaiter* waiter : waiters) waiter->timer.cancel();
        waiters.clear();
        for (auto& [origin, pool] : idle) {
            for (auto& connection : pool) connection->close();
        }
        idle.clear();
        for (Connection* connection : active) connection->close();
    }
};

namespace {

using Impl = OutboundHttp::Impl;

// Waits for one of the in_flight_max slots until `deadline`; false when none came (the
// deadline passed, or the client stopped).
net::awaitable<bool> acquire_slot(Impl& impl, Deadline deadline) {
    if (impl.stopped) co_return false;
    if (impl.in_flight < impl.settings.in_flight_max) {
        ++impl.in_flight;
        co_return true;
    }
    ++impl.waited_for_slot;
    SlotWaiter waiter(net::steady_timer(impl.strand, deadline));
    impl.waiters.push_back(&waiter);
    (void)co_await waiter.timer.async_wait(net::as_tuple(net::use_awaitable));
    if (!waiter.granted) std::erase(impl.waiters, &waiter);
    co_return waiter.granted;
}

// Keeps a connection in the active set (which stop() closes) for as long as it is in scope.
struct OpenGuard {
    Impl& impl;
    Connection* connection;
    ~OpenGuard() { impl.active.erase(connection); }
};

// The endpoints of `url`: an IP literal as it is, a name through the resolver, within the
// deadline (the system resolver may take as long as its own timeouts allow).
net::awaitable<std::pair<error_code, tcp::resolver::results_type>> resolve(
    Impl& impl, const OutboundUrl& url, Deadline deadline) {
    using Resolved = std::pair<error_code, tcp::resolver::results_type>;
    if (is_ip_literal(url.host)) {
        const tcp::endpoint endpoint(net::ip::make_address(url.host), url.port);
        co_return Resolved{{}, tcp::resolver::results_type::create(endpoint, url.host,
                                                                    std::to_string(url.port))};
    }
    auto resolver = std::make_shared<tcp::resolver>(impl.strand);
    net::steady_timer guard(impl.strand, deadline);
    bool expired = false;
    guard.async_wait([resolver, &expired](error_code ec) {
        if (ec) return;
        expired = true;
        resolver->cancel();
    });
    auto [ec, results] = co_await resolver->async_resolve(url.host, std::to_string(url.port),
                                                          net::as_tuple(net::use_awaitable));
    guard.cancel();
    if (expired) ec = make_error_code(net::error::timed_out);
    co_return Resolved{ec, std::move(results)};
}

// The TLS session's checks: the name sent for SNI, and the name or address the certificate
// must carry.
error_code prepare_tls(beast::ssl_stream<beast::tcp_stream>& stream, const OutboundUrl& url) {
    SSL* session = stream.native_handle();
    if (is_ip_literal(url.host)) {
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(session), url.host.c_str()) != 1) {
            return make_error_code(boost::system::errc::invalid_argument);
        }
        return {};
    }
    if (SSL_set_tlsext_host_name(session, url.host.c_str()) != 1 ||
        SSL_set1_host(session, url.host.c_str()) != 1) {
        return make_error_code(boost::system::errc::invalid_argument);
    }
    return {};
}

// A new connection to `url`, TLS handshake done. Nothing of the request has been sent, so
// every failure here is "not delivered".
net::awaitable<std::unique_ptr<Connection>> open_connection(Impl& impl, const OutboundUrl& url,
                                                            Deadline deadline,
                                                            OutboundFailure& failed) {
    auto connection = std::make_unique<Connection>();
    connection->origin = origin_of(url);
    if (url.tls) {
        connection->secure.emplace(impl.strand, impl.tls_client);
        if (const error_code ec = prepare_tls(*connection->secure, url)) {
            failed = failure(ec, false, "TLS setup for " + connection->origin);
            co_return nullptr;
        }
    } else {
        connection->plain.emplace(impl.strand);
    }
    auto [resolve_ec, endpoints] = co_await resolve(impl, url, deadline);
    if (resolve_ec) {
        failed = failure(resolve_ec, false, "resolve " + connection->origin);
        co_return nullptr;
    }
    // Registered while it opens, so that stopping the client cuts a slow connect short.
    impl.active.insert(connection.get());
    OpenGuard registered{impl, connection.get()};
    connection->tcp().expires_at(deadline);
    auto [connect_ec, endpoint] =
        co_await connection->tcp().async_connect(endpoints, net::as_tuple(net::use_awaitable));
    (void)endpoint;
    if (connect_ec) {
        failed = failure(connect_ec, false, "connect to " + connection->origin);
        co_return nullptr;
    }
    ++impl.connections_opened;
    connection->tcp().socket().set_option(tcp::no_delay(true));
    if (!url.tls) co_return connection;
    auto [handshake_ec] = co_await connection->secure->async_handshake(
        ssl::stream_base::client, net::as_tuple(net::use_awaitable));
    if (handshake_ec) {
        failed = failure(handshake_ec, false, "TLS handshake with " + connection->origin);
        co_return nullptr;
    }
    co_return connection;
}

// Writes the request and reads the reply on `connection`; any failure may have delivered it.
template <class Stream>
net::awaitable<std::optional<http::response<http::string_body>>> exchange(
    Impl& impl, Connection& connection, Stream& stream,
    const http::request<http::string_body>& message, OutboundFailure& failed) {
    auto [write_ec, written] =
        co_await http::async_write(stream, message, net::as_tuple(net::use_awaitable));
    (void)written;
    if (write_ec) {
        failed = failure(write_ec, true, "write to " + connection.origin);
        co_return std::nullopt;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(impl.settings.body_limit);
    auto [read_ec, read] = co_await http::async_read(stream, connection.buffer, parser,
                                                     net::as_tuple(net::use_awaitable));
    (void)read;
    if (read_ec) {
        failed = failure(read_ec, true, "read from " + connection.origin);
        co_return std::nullopt;
    }
    co_return parser.release();
}

// Sends on a kept-alive connection when one is fresh, else on a new one.
net::awaitable<OutboundResult> send(Impl& impl, const OutboundUrl& url,
                                    const http::request<http::string_body>& message,
                                    Deadline deadline) {
    OutboundResult result;
    std::unique_ptr<Connection> connection = impl.take_idle(origin_of(url));
    if (!connection) connection = co_await open_connection(impl, url, deadline, result.failure);
    if (!connection) co_return result;

    connection->tcp().expires_at(deadline);
    std::optional<http::response<http::string_body>> response;
    {
        impl.active.insert(connection.get());
        OpenGuard registered{impl, connection.get()};
        if (connection->secure) {
            response = co_await exchange(impl, *connection, *connection->secure, message,
                                         result.failure);
        } else {
            response = co_await exchange(impl, *connection, *connection->plain, message,
                                         result.failure);
        }
    }
    if (!response) {
        connection->close();
        co_return result;
    }
    connection->tcp().expires_never();
    OutboundReply reply;
    reply.status = static_cast<int>(response->result_int());
    reply.content_type = std::string((*response)[http::field::content_type]);
    reply.body = std::move(response->body());
    if (response->keep_alive()) {
        impl.keep_idle(std::move(connection));
    } else {
        connection->close();
    }
    result.reply = std::move(reply);
    co_return result;
}

OutboundResult refused_url() {
    OutboundResult result;
    result.failure.error = make_error_code(boost::system::errc::invalid_argument);
    result.failure.detail = "not an http:// or https:// URL";
    return result;
}

OutboundResult without_slot(bool stopped) {
    OutboundResult result;
    if (stopped) {
        result.failure.error = make_error_code(net::error::operation_aborted);
        result.failure.detail = "the client stopped";
    } else {
        result.failure.error = make_error_code(net::error::timed_out);
        result.failure.detail = "no free slot before the deadline";
    }
    return result;
}

net::awaitable<OutboundResult> run_call(std::shared_ptr<Impl> impl, OutboundRequest request) {
    ++impl->calls;
    const Deadline deadline = Clock::now() + request.deadline;
    OutboundResult result;
    auto url = parse_outbound_url(request.url);
    if (!url) {
        result = refused_url();
    } else if (!co_await acquire_slot(*impl, deadline)) {
        result = without_slot(impl->stopped);
    } else {
        const http::request<http::string_body> message = wire_request(request, *url);
        result = co_await send(*impl, *url, message, deadline);
        impl->release_slot();
    }
    if (result.ok()) {
        ++impl->replies;
    } else {
        ++impl->failures;
        if (result.failure.error == net::error::timed_out) ++impl->timed_out;
        if (impl->stopped) result.failure.error = make_error_code(net::error::operation_aborted);
    }
    co_return result;
}

}  // namespace

OutboundHttp::OutboundHttp(net::any_io_executor executor, OutboundHttpSettings settings)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(settings))) {}

OutboundHttp::~OutboundHttp() {
    net::post(impl_->strand, [impl = impl_] { impl->stop(); });
}

net::awaitable<OutboundResult> OutboundHttp::call(OutboundRequest request) {
    std::shared_ptr<Impl> impl = impl_;
    co_return co_await net::co_spawn(impl->strand, run_call(impl, std::move(request)),
                                     net::use_awaitable);
}

OutboundCounters OutboundHttp::counters() const {
    OutboundCounters counters;
    counters.calls = impl_->calls;
    counters.replies = impl_->replies;
    counters.failures = impl_->failures;
    counters.timed_out = impl_->timed_out;
    counters.connections_opened = impl_->connections_opened;
    counters.waited_for_slot = impl_->waited_for_slot;
    return counters;
}

}  // namespace hodi::adapters
