// Parsing and matching address ranges.
#include "adapters/address_range.hpp"

#include <charconv>

namespace hodi::adapters {

namespace ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

// The first `bits` bits of `a` and `b` are equal.
bool same_prefix(const std::uint8_t* a, const std::uint8_t* b, unsigned bits) {
    unsigned index = 0;
    for (; bits >= 8; bits -= 8, ++index) {
        if (a[index] != b[index]) return false;
    }
    if (bits == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xFFU << (8 - bits));
    return (a[index] & mask) == (b[index] & mask);
}

// No bit is set after the first `bits` of the `size` bytes.
bool host_bits_clear(const std::uint8_t* bytes, std::size_t size, unsigned bits) {
    for (std::size_t index = 0; index < size; ++index) {
        const unsigned start = static_cast<unsigned>(index) * 8;
        if (start + 8 <= bits) continue;
        const unsigned kept = bits > start ? bits - start : 0;
        const auto host_mask = static_cast<std::uint8_t>(0xFFU >> kept);
        if ((bytes[index] & host_mask) != 0) return false;
    }
    return true;
}

}  // namespace

ip::address unmapped(const ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    }
    return address;
}

std::optional<AddressRange> AddressRange::parse(std::string_view text) {
    text = trim(text);
    const std::size_t slash = text.find('/');
    boost::system::error_code ec;
    const ip::address address = unmapped(ip::make_address(text.substr(0, slash), ec));
    if (ec) return std::nullopt;
    AddressRange range;
    range.v4_ = address.is_v4();
    const unsigned width = range.v4_ ? 32 : 128;
    unsigned bits = width;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                                  bits);
        if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() ||
            bits > width) {
            return std::nullopt;
        }
    }
    if (range.v4_) {
        const auto bytes = address.to_v4().to_bytes();
        std::copy(bytes.begin(), bytes.end(), range.bytes_.begin());
    } else {
        const auto bytes = address.to_v6().to_bytes();
        std::copy(bytes.begin(), bytes.end(), range.bytes_.begin());
    }
    if (!host_bits_clear(range.bytes_.data(), range.v4_ ? 4 : 16, bits)) return std::nullopt;
    range.prefix_bits_ = static_cast<std::uint8_t>(bits);
    return range;
}

bool AddressRange::contains(const ip::address& raw) const {
    const ip::address address = unmapped(raw);
    if (address.is_v4() != v4_) return false;
    if (v4_) {
        const auto bytes = address.to_v4().to_bytes();
        return same_prefix(bytes.data(), bytes_.data(), prefix_bits_);
    }
    const auto bytes = address.to_v6().to_bytes();
    return same_prefix(bytes.data(), bytes_.data(), prefix_bits_);
}

std::string AddressRange::to_string() const {
    std::string text;
    if (v4_) {
        text = ip::address_v4(ip::address_v4::bytes_type{bytes_[0], bytes_[1], bytes_[2],
                                                         bytes_[3]})
                   .to_string();
    } else {
        ip::address_v6::bytes_type bytes{};
        std::copy(bytes_.begin(), bytes_.end(), bytes.begin());
        text = ip::address_v6(bytes).to_string();
    }
    return text + '/' + std::to_string(prefix_bits_);
}

std::optional<std::vector<AddressRange>> parse_address_ranges(std::string_view text,
                                                              std::string* bad) {
    std::vector<AddressRange> ranges;
    while (!trim(text).empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view item = trim(text.substr(0, comma));
        auto range = AddressRange::parse(item);
        if (!range) {
            if (bad != nullptr) *bad = std::string(item);
            return std::nullopt;
        }
        ranges.push_back(*range);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return ranges;
}

bool any_contains(const std::vector<AddressRange>& ranges, const ip::address& address) {
    for (const AddressRange& range : ranges) {
        if (range.contains(address)) return true;
    }
    return false;
}

std::vector<AddressRange> loopback_ranges() {
    return {*AddressRange::parse("127.0.0.0/8"), *AddressRange::parse("::1")};
}

}  // namespace hodi::adapters
