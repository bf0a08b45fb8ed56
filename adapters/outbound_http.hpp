// hodi's asynchronous HTTP client for calls it makes to providers (Daraja, AT SMS) and for the
// sandbox fakes' callbacks to hodi: coroutines over Beast, TLS verified with OpenSSL, a
// deadline on every call and a cap on the calls in flight. Beast stays inside the .cpp.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/http_message.hpp"

namespace hodi::adapters {

namespace net = boost::asio;

// The parts of an absolute "http[s]://host[:port][/target]" URL.
struct OutboundUrl {
    bool tls = true;
    std::string host;
    std::uint16_t port = 443;
    std::string target = "/";  ///< path and query, as sent on the request line
};

// Fails with errc::invalid_argument for anything but a well-formed http:// or https:// URL
// (no user info, no fragment, a port from 1 to 65535).
boost::system::result<OutboundUrl> parse_outbound_url(std::string_view url);

struct OutboundRequest {
    HttpMethod method = HttpMethod::post;
    std::string url;  ///< absolute, e.g. "https://api.safaricom.co.ke/mpesa/stkpush/v1/..."
    // Header fields besides Host, Content-Length, Content-Type and Connection, e.g.
    // {"Authorization", "Bearer ..."}. Values are secrets: they are never logged.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type;  ///< "application/json"; empty sends none
    std::string body;
    // The whole call: waiting for a slot, connecting, TLS, writing and reading the reply.
    std::chrono::milliseconds deadline{10'000};
};

struct OutboundReply {
    int status = 0;
    std::string content_type;  ///< as sent, may be empty
    std::string body;
};

// Why a call has no reply, and whether the other side may have acted on it. Money depends on
// the difference: a request that surely never left may be sent again; one that may have been
// read must be looked up (a status query), never repeated blindly.
struct OutboundFailure {
    boost::system::error_code error;  ///< e.g. timed_out, connection_refused, an SSL error
    // False only when no byte of the request can have reached the server: the name did not
    // resolve, the connection or the TLS handshake failed, or the deadline passed before the
    // request was written. True from the moment writing began.
    bool maybe_delivered = false;
    std::string detail;  ///< what failed, for the log: "connect to 127.0.0.1:9: refused"
};

// A reply, or why there is none.
struct OutboundResult {
    std::optional<OutboundReply> reply;
    OutboundFailure failure;  ///< meaningful when reply is empty

    bool ok() const { return reply.has_value(); }
};

struct OutboundHttpSettings {
    // Trusted roots for https: this PEM file when set, else the system's default store.
    // Certificates are always verified (chain and host name); there is no switch to turn that
    // off, and tests use their own CA file.
    std::optional<std::filesystem::path> ca_file;
    std::size_t in_flight_max = 32;     ///< calls on the wire at once; the rest wait their turn
    std::size_t body_limit = 1 << 20;   ///< bytes of reply body accepted
    std::size_t idle_per_origin = 8;    ///< keep-alive connections kept per scheme+host+port
    std::chrono::seconds idle_timeout{30};  ///< an idle connection is closed after this
};

// Counters since start, for tests and /metrics.
struct OutboundCounters {
    std::uint64_t calls = 0;               ///< call() made
    std::uint64_t replies = 0;             ///< calls that got a whole reply (any status)
    std::uint64_t failures = 0;            ///< calls without one
    std::uint64_t timed_out = 0;           ///< failures by deadline (among failures)
    std::uint64_t connections_opened = 0;  ///< TCP connections made (reuse keeps this low)
    std::uint64_t waited_for_slot = 0;     ///< calls that queued behind in_flight_max
};

// Thread-safe: call() may be awaited from any executor and thread, any number at once; the
// client runs its I/O on its own strand of `executor`. No call is ever sent twice: a kept-alive
// connection is checked before reuse (one the server closed, reset or wrote to while it was
// idle is dropped for a new one), and once writing began a failure is reported as
// maybe_delivered, never retried. Destroying the client cancels the calls in flight (they
// answer operation_aborted).
class OutboundHttp {
public:
    // Throws std::runtime_error when the CA file cannot be read.
    OutboundHttp(net::any_io_executor executor, OutboundHttpSettings settings = {});
    ~OutboundHttp();
    OutboundHttp(const OutboundHttp&) = delete;
    OutboundHttp& operator=(const OutboundHttp&) = delete;

    // Sends `request` and reads the reply, within request.deadline. Never throws.
    net::awaitable<OutboundResult> call(OutboundRequest request);

    OutboundCounters counters() const;

    struct Impl;  // defined in the .cpp

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace hodi::adapters
