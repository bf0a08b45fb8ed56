// One HTTP request and its reply as routes and handlers see them: plain views and values, no
// Beast. The server (http_server.cpp) fills HttpRequest from its parser without copying.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/form.hpp"

namespace hodi::adapters {

enum class HttpMethod : std::uint8_t { get, head, post, put, del, other };

// "GET", "HEAD", ... as on the request line; "OTHER" for the methods hodi does not route.
std::string_view method_name(HttpMethod method);

// The header fields of one request, looked up by name regardless of case (RFC 9110 §5.1). A
// view: it points into the connection's parser through a lookup function the server supplies,
// so asking for a header costs one search and no allocation. Valid while its HttpRequest is.
class HttpHeaders {
public:
    // Finds the first field called `name` in `fields`, or nullopt when there is none.
    using Lookup = std::optional<std::string_view> (*)(const void* fields, std::string_view name);

    HttpHeaders() = default;  ///< no fields at all
    HttpHeaders(const void* fields, Lookup lookup) : fields_(fields), lookup_(lookup) {}

    // The value of the first field called `name`, or nullopt when the request has none.
    std::optional<std::string_view> find(std::string_view name) const {
        if (lookup_ == nullptr) return std::nullopt;
        return lookup_(fields_, name);
    }

private:
    const void* fields_ = nullptr;
    Lookup lookup_ = nullptr;
};

// One request as a route sees it. The views point into the connection's parser and stay valid
// until the handler's reply is written; copy what must outlive it.
struct HttpRequest {
    HttpMethod method = HttpMethod::other;
    std::string_view target{};      ///< as sent, e.g. "/sms/at?x=1"; set with set_target()
    std::string_view path{};        ///< the target up to '?', e.g. "/sms/at"; not decoded
    std::string_view query_string{};  ///< the target after '?', still encoded; may be empty
    std::string_view content_type{};  ///< the Content-Type header as sent, may be empty
    std::string body{};
    bool keep_alive = true;
    boost::asio::ip::tcp::endpoint peer{};  ///< the socket's remote address and port
    // Who sent it: the peer's address, or the one a trusted proxy named in the configured
    // header (HttpServerSettings::client_header); unspecified when a trusted proxy named none.
    boost::asio::ip::address client{};
    HttpHeaders headers{};
    // Where the router writes the pattern of the route it chose ("/ussd/at/{token}"), for the
    // access log: the pattern, never the path, which may hold a secret token. May be null.
    std::string_view* matched_route = nullptr;

    // Sets target, path and query_string from the request-target as sent.
    void set_target(std::string_view raw_target);

    // The first header field called `name` (any case), or "" when there is none.
    std::string_view header(std::string_view name) const {
        return headers.find(name).value_or(std::string_view{});
    }
    bool has_header(std::string_view name) const { return headers.find(name).has_value(); }

    // The decoded value of the first query parameter called `name` ('+' and %XX decoded, as
    // in a form body); nullopt when it is absent or its value holds a malformed escape. Only
    // the parameter asked for is decoded. Use query_form() to tell absent from malformed.
    std::optional<std::string> query(std::string_view name) const;
    // Every query parameter, decoded, or the reason the query string is malformed.
    boost::system::result<Form> query_form() const { return parse_form(query_string); }
};

// What a handler answers. `content_type` must point at static storage (a string literal).
struct HttpReply {
    int status = 200;
    std::string_view content_type = "text/plain";
    std::string body{};
    bool close = false;  ///< close the connection after this reply
    // Header lines sent besides Content-Type, Content-Length and Connection, each ending in
    // CRLF. Append with add_header(); empty on the hot path, so it costs nothing there.
    std::string headers{};

    // Adds "name: value". A name that is not an HTTP token, or a value holding CR, LF or NUL,
    // is a bug (it would let a value forge headers): routes put only values they made.
    void add_header(std::string_view name, std::string_view value);
};

}  // namespace hodi::adapters
