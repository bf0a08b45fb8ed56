// A raw loopback exchange for server tests that must see bytes HttpClient hides: status lines,
// response headers, a HEAD reply's missing body, the client's own port.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hodi::test {

// What a raw socket got back: the bytes, and whether the server closed the connection.
struct RawExchange {
    std::string received;
    bool closed = false;
    std::chrono::milliseconds elapsed{0};
    std::uint16_t local_port = 0;  ///< the client side's port, as the server sees it
};

// Sends `bytes` on a fresh connection to 127.0.0.1:`port` and reads until the server closes
// it or `wait` passes.
RawExchange raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds wait);
// The same, sending `pieces` one write each, `gap` apart, so the server reads them apart.
RawExchange raw_exchange(std::uint16_t port, const std::vector<std::string_view>& pieces,
                         std::chrono::milliseconds gap, std::chrono::milliseconds wait);
// The same from source address `from` (any of 127.0.0.0/8, e.g. "127.0.0.66"), so the server
// sees a peer its allowlist may refuse.
RawExchange raw_exchange_from(const char* from, std::uint16_t port, std::string_view bytes,
                              std::chrono::milliseconds wait);

// The body of a raw HTTP response: everything after the first blank line.
std::string_view raw_body(std::string_view response);

}  // namespace hodi::test
