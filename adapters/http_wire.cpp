// The wire side of the HTTP server: reply heads, request views, framing checks.
#include "adapters/http_wire.hpp"

#include <array>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <charconv>

#include <spdlog/spdlog.h>

namespace hodi::adapters::http_wire {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

std::string_view reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 413: return "Payload Too Large";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Unknown";
    }
}

HttpMethod to_method(http::verb verb) {
    switch (verb) {
        case http::verb::get: return HttpMethod::get;
        case http::verb::head: return HttpMethod::head;
        case http::verb::post: return HttpMethod::post;
        case http::verb::put: return HttpMethod::put;
        case http::verb::delete_: return HttpMethod::del;
        default: return HttpMethod::other;
    }
}

// HttpHeaders' window onto the parser's fields; Beast compares names regardless of case.
std::optional<std::string_view> find_field(const void* fields, std::string_view name) {
    const auto& beast_fields = *static_cast<const http::fields*>(fields);
    const auto field = beast_fields.find(name);
    if (field == beast_fields.end()) return std::nullopt;
    return field->value();
}

std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// The last comma-separated item of a proxy's header ("client, proxy1, proxy2" names the
// address the last proxy saw last), or an unspecified address when it holds none.
net::ip::address named_client(std::string_view header) {
    const std::size_t comma = header.rfind(',');
    if (comma != std::string_view::npos) header.remove_prefix(comma + 1);
    error_code ec;
    const auto address = net::ip::make_address(trim_blanks(header), ec);
    return ec ? net::ip::address{} : unmapped(address);
}

}  // namespace

void format_head(std::string& head, const HttpReply& reply, unsigned version, bool keep_alive) {
    head.clear();
    head.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    std::array<char, 16> digits{};
    auto printed = std::to_chars(digits.data(), digits.data() + digits.size(), reply.status);
    head.append(digits.data(), printed.ptr);
    head.push_back(' ');
    head.append(reason_phrase(reply.status));
    head.append("\r\nContent-Type: ");
    head.append(reply.content_type);
    head.append("\r\nContent-Length: ");
    printed = std::to_chars(digits.data(), digits.data() + digits.size(), reply.body.size());
    head.append(digits.data(), printed.ptr);
    if (!keep_alive) {
        head.append("\r\nConnection: close");
    } else if (version == 10) {
        head.append("\r\nConnection: keep-alive");
    }
    head.append("\r\n");
    head.append(reply.headers);
    head.append("\r\n");
}

HttpRequest make_request(Message& message, const tcp::endpoint& peer,
                         const HttpServerSettings& settings) {
    HttpRequest request{.method = to_method(message.method()),
                        .content_type = message[http::field::content_type],
                        .body = std::move(message.body()),
                        .keep_alive = message.keep_alive(),
                        .peer = peer,
                        .headers = HttpHeaders(static_cast<const http::fields*>(&message),
                                               find_field)};
    request.set_target(message.target());
    request.client = unmapped(peer.address());
    if (!settings.client_header.empty() &&
        any_contains(settings.trusted_proxies, request.client)) {
        request.client = named_client(request.header(settings.client_header));
    }
    return request;
}

HttpReply error_reply(int status, std::string body) {
    return HttpReply{.status = status, .content_type = "text/plain", .body = std::move(body),
                     .close = true};
}

std::optional<HttpReply> read_failure_reply(const error_code& ec,
                                            const HttpServerSettings& settings) {
    if (ec == http::error::body_limit) {
        return error_reply(413, "request body over " + std::to_string(settings.body_limit) +
                                    " bytes");
    }
    if (ec == http::error::header_limit) {
        return error_reply(431, "request header over " + std::to_string(settings.header_limit) +
                                    " bytes");
    }
    if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
        return error_reply(400, "malformed HTTP request: " + ec.message());
    }
    return std::nullopt;
}

error_code framing_error(const Parser& parser) {
    const auto& fields = parser.get();
    const auto encoding = fields.find(http::field::transfer_encoding);
    if (encoding == fields.end()) return {};
    if (fields.count(http::field::transfer_encoding) != 1 ||
        fields.count(http::field::content_length) != 0 ||
        !beast::iequals(trim_blanks(encoding->value()), "chunked")) {
        return http::error::bad_transfer_encoding;
    }
    return {};
}


void log_access(HttpServerSettings::AccessLog format, const net::ip::address& client,
                std::string_view method, std::string_view route, int status,
                std::chrono::steady_clock::duration took) {
    // Every field is hodi's own (a parsed address, a method name, a route pattern registered
    // in code): nothing the caller sent verbatim reaches the line, so it needs no escaping.
    const double ms = std::chrono::duration<double, std::milli>(took).count();
    const std::string peer = client.to_string();
    if (route.empty()) route = "-";
    if (format == HttpServerSettings::AccessLog::json) {
        spdlog::info(R"({{"access":{{"peer":"{}","method":"{}","route":"{}","status":{},)"
                     R"("ms":{:.3f}}}}})",
                     peer, method, route, status, ms);
        return;
    }
    spdlog::info("access {} {} {} {} {:.3f}ms", peer, method, route, status, ms);
}

}  // namespace hodi::adapters::http_wire
