// A small blocking HTTP/1.1 client for tools and tests (`hodi sim`, integration tests): one
// keep-alive connection to one host, a timeout on every request. Beast stays inside the .cpp.
#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hodi::adapters {

struct HttpResponse {
    int status = 0;
    std::string content_type;  ///< the Content-Type header as sent, e.g. "text/plain"
    std::string body;
};

// The parts of an "http://host[:port][/target]" URL. https is not supported: the client is
// for loopback tools and tests, where TLS would only hide what is on the wire.
struct HttpUrl {
    std::string host;
    std::uint16_t port = 80;
    std::string target = "/";
};

// Fails with errc::invalid_argument for anything but a well-formed http:// URL.
boost::system::result<HttpUrl> parse_http_url(std::string_view url);

// One field of an application/x-www-form-urlencoded body.
using FormField = std::pair<std::string_view, std::string_view>;

// Percent-encodes every byte outside [A-Za-z0-9-._~], as browsers and AT do ('+' becomes %2B,
// '*' becomes %2A, a space becomes %20), and joins the fields with '&'.
std::string form_encode(const std::vector<FormField>& fields);

struct HttpClientSettings {
    // Bounds each request as a whole: connect, write and read. AT gives up on a hop after
    // 15 s (PROTOCOLS.md §1.5); tools should not wait longer than the gateway would.
    std::chrono::milliseconds request_timeout{15'000};
    std::size_t body_limit = 1024 * 1024;  ///< bytes of response body accepted
};

// Blocking, keep-alive HTTP/1.1 client for one host:port. Connects on first use. When a reused
// connection turns out to have been closed by the server while idle, it reconnects and sends
// the request once more; any other failure is returned as an error_code (connection refused,
// beast timeout, ...). Not thread-safe: use one client per thread.
class HttpClient {
public:
    HttpClient(std::string host, std::uint16_t port, HttpClientSettings settings = {});
    ~HttpClient();
    HttpClient(HttpClient&& other) noexcept;
    HttpClient& operator=(HttpClient&& other) noexcept;
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    boost::system::result<HttpResponse> request(std::string_view method, std::string_view target,
                                                std::string_view content_type,
                                                std::string_view body);
    boost::system::result<HttpResponse> post_form(std::string_view target, std::string_view body);
    boost::system::result<HttpResponse> get(std::string_view target);

    // Closes the connection now; the next request opens a new one.
    void close();
    // How many TCP connections this client has opened so far (tests check keep-alive with it).
    std::size_t connections_opened() const;

    // The connection state, defined in the .cpp; named here so its helper coroutines can use it.
    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace hodi::adapters
