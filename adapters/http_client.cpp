// Blocking HTTP/1.1 client; see http_client.hpp. Each request runs a short coroutine on the
// client's own io_context, so Beast's per-operation timeouts bound it, then returns the result.
#include "adapters/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <charconv>
#include <exception>
#include <optional>

namespace hodi::adapters {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Outcome = boost::system::result<HttpResponse>;

namespace {

// The server closed a kept-alive connection while it sat idle: the request never reached the
// application, so sending it again on a fresh connection is safe.
bool closed_while_idle(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe;
}

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

struct HttpClient::Impl {
    Impl(std::string host_name, std::uint16_t port_number, HttpClientSettings client_settings)
        : host(std::move(host_name)), port(port_number), settings(client_settings) {}

    std::string host;
    std::uint16_t port;
    HttpClientSettings settings;
    // Declared before the stream so the stream, which uses it, is destroyed first.
    net::io_context ioc{1};
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    std::size_t connections_opened = 0;

    void close_stream() {
        if (stream) {
            error_code ignored;
            stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
            stream->socket().close(ignored);
            stream.reset();
        }
        buffer.clear();
    }
};

namespace {

using Deadline = std::chrono::steady_clock::time_point;

// Opens impl->stream. Resolution is synchronous: the client talks to loopback or to names
// from a config file, where the resolver answers at once.
net::awaitable<error_code> open_connection(HttpClient::Impl* impl, Deadline deadline) {
    tcp::resolver resolver(impl->ioc);
    error_code ec;
    const auto endpoints = resolver.resolve(impl->host, std::to_string(impl->port), ec);
    if (ec) co_return ec;
    impl->stream.emplace(impl->ioc);
    impl->stream->expires_at(deadline);
    auto [connect_ec, endpoint] =
        co_await impl->stream->async_connect(endpoints, net::as_tuple(net::use_awaitable));
    (void)endpoint;
    if (connect_ec) {
        impl->close_stream();
        co_return connect_ec;
    }
    ++impl->connections_opened;
    co_return error_code{};
}

// One write and one read on the open connection.
net::awaitable<Outcome> write_and_read(HttpClient::Impl* impl,
                                       const http::request<http::string_body>* request,
                                       Deadline deadline) {
    impl->stream->expires_at(deadline);
    auto [write_ec, written] =
        co_await http::async_write(*impl->stream, *request, net::as_tuple(net::use_awaitable));
    (void)written;
    if (write_ec) co_return write_ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(impl->settings.body_limit);
    auto [read_ec, read] = co_await http::async_read(*impl->stream, impl->buffer, parser,
                                                     net::as_tuple(net::use_awaitable));
    (void)read;
    if (read_ec) co_return read_ec;
    auto response = parser.release();
    if (!response.keep_alive()) impl->close_stream();
    co_return HttpResponse{static_cast<int>(response.result_int()),
                           std::string(response[http::field::content_type]),
                           std::move(response.body())};
}

net::awaitable<Outcome> exchange(HttpClient::Impl* impl,
                                 const http::request<http::string_body>* request) {
    const Deadline deadline = std::chrono::steady_clock::now() + impl->settings.request_timeout;
    for (int attempt = 0;; ++attempt) {
        const bool reused = impl->stream.has_value();
        if (!reused) {
            if (const error_code ec = co_await open_connection(impl, deadline)) co_return ec;
        }
        Outcome outcome = co_await write_and_read(impl, request, deadline);
        if (outcome) co_return outcome;
        impl->close_stream();
        if (!reused || attempt > 0 || !closed_while_idle(outcome.error())) co_return outcome;
    }
}

}  // namespace

HttpClient::HttpClient(std::string host, std::uint16_t port, HttpClientSettings settings)
    : impl_(std::make_unique<Impl>(std::move(host), port, settings)) {}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&& other) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&& other) noexcept = default;

Outcome HttpClient::request(std::string_view method, std::string_view target,
                            std::string_view content_type, std::string_view body) {
    http::request<http::string_body> message;
    message.method_string(method);
    message.target(target);
    message.version(11);
    message.set(http::field::host, impl_->host + ":" + std::to_string(impl_->port));
    message.set(http::field::user_agent, "hodi");
    if (!content_type.empty()) message.set(http::field::content_type, content_type);
    message.body() = body;
    message.keep_alive(true);
    message.prepare_payload();

    std::optional<Outcome> outcome;
    std::exception_ptr failure;
    net::co_spawn(impl_->ioc, exchange(impl_.get(), &message),
                  [&outcome, &failure](std::exception_ptr error, Outcome value) {
                      failure = error;
                      outcome = std::move(value);
                  });
    impl_->ioc.restart();
    impl_->ioc.run();
    // Only allocation failure can throw inside the exchange; pass it on unchanged.
    if (failure) std::rethrow_exception(failure);
    return std::move(*outcome);
}

Outcome HttpClient::post_form(std::string_view target, std::string_view body) {
    return request("POST", target, "application/x-www-form-urlencoded", body);
}

Outcome HttpClient::get(std::string_view target) { return request("GET", target, {}, {}); }

void HttpClient::close() { impl_->close_stream(); }

std::size_t HttpClient::connections_opened() const { return impl_->connections_opened; }

boost::system::result<HttpUrl> parse_http_url(std::string_view url) {
    const auto invalid = make_error_code(boost::system::errc::invalid_argument);
    constexpr std::string_view scheme = "http://";
    if (url.size() < scheme.size()) return invalid;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(url[i])) != scheme[i]) return invalid;
    }
    url.remove_prefix(scheme.size());
    HttpUrl result;
    const std::size_t slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    if (slash != std::string_view::npos) result.target = std::string(url.substr(slash));
    // An IPv6 literal is bracketed, so its colons are not taken for the port separator.
    std::size_t host_end = authority.rfind(':');
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return invalid;
        result.host = std::string(authority.substr(1, close - 1));
        host_end = close + 1 < authority.size() ? close + 1 : std::string_view::npos;
        if (host_end != std::string_view::npos && authority[host_end] != ':') return invalid;
    } else {
        result.host = std::string(authority.substr(0, host_end));
    }
    if (result.host.empty()) return invalid;
    if (host_end != std::string_view::npos) {
        const std::string_view port = authority.substr(host_end + 1);
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc{} || end != port.data() + port.size() ||
            value == 0 || value > 65535) {
            return invalid;
        }
        result.port = static_cast<std::uint16_t>(value);
    }
    return result;
}

namespace {

void percent_encode(std::string_view text, std::string& out) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c)) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0F];
        }
    }
}

}  // namespace

std::string form_encode(const std::vector<FormField>& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        if (!out.empty()) out += '&';
        percent_encode(name, out);
        out += '=';
        percent_encode(value, out);
    }
    return out;
}

}  // namespace hodi::adapters
