// IP address ranges ("196.201.214.0/24", "2001:db8::/32", "127.0.0.1") for the allowlists that
// say who may reach a callback and which proxies may name a request's client.
#pragma once

#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hodi::adapters {

// One network: an address and how many of its leading bits must match. IPv4 peers that arrive
// as IPv4-mapped IPv6 ("::ffff:10.0.0.1") are compared as the IPv4 address they are.
class AddressRange {
public:
    // "ADDRESS/BITS", or a bare ADDRESS for that one host. nullopt when malformed, when BITS is
    // above the family's width, or when bits are set past the prefix ("10.0.0.1/8": a typo for
    // 10.0.0.0/8 or for the one host, so it is refused rather than guessed).
    static std::optional<AddressRange> parse(std::string_view text);

    bool contains(const boost::asio::ip::address& address) const;
    std::string to_string() const;  ///< as "ADDRESS/BITS"

private:
    std::array<std::uint8_t, 16> bytes_{};  ///< 4 used for IPv4
    std::uint8_t prefix_bits_ = 0;
    bool v4_ = true;
};

// A comma-separated list of ranges (spaces allowed around each). nullopt, with the offending
// item in `bad`, when one is malformed; an empty text is an empty list.
std::optional<std::vector<AddressRange>> parse_address_ranges(std::string_view text,
                                                              std::string* bad = nullptr);

bool any_contains(const std::vector<AddressRange>& ranges,
                  const boost::asio::ip::address& address);

// The address as a v4 one when it is IPv4-mapped IPv6, else unchanged.
boost::asio::ip::address unmapped(const boost::asio::ip::address& address);

// 127.0.0.0/8 and ::1: the proxies trusted to name the client when nothing else is configured.
std::vector<AddressRange> loopback_ranges();

}  // namespace hodi::adapters
