// Splits the absolute URLs hodi calls (provider APIs, the sandbox fakes' callback targets).
#include <cctype>
#include <string>

#include "adapters/http_client.hpp"
#include "adapters/outbound_http.hpp"

namespace hodi::adapters {

namespace {

bool starts_with_scheme(std::string_view url, std::string_view scheme) {
    if (url.size() < scheme.size()) return false;
    for (std::size_t index = 0; index < scheme.size(); ++index) {
        if (std::tolower(static_cast<unsigned char>(url[index])) != scheme[index]) return false;
    }
    return true;
}

}  // namespace

boost::system::result<OutboundUrl> parse_outbound_url(std::string_view url) {
    const auto invalid = make_error_code(boost::system::errc::invalid_argument);
    OutboundUrl result;
    if (starts_with_scheme(url, "https://")) {
        url.remove_prefix(8);
    } else if (starts_with_scheme(url, "http://")) {
        url.remove_prefix(7);
        result.tls = false;
        result.port = 80;
    } else {
        return invalid;
    }
    // User info would put a secret on the wire in the clear and in every log line of the URL;
    // a fragment is never sent. Both mean the URL was written by mistake.
    const std::string_view authority = url.substr(0, url.find('/'));
    if (authority.find('@') != std::string_view::npos) return invalid;
    if (url.find('#') != std::string_view::npos) return invalid;
    if (url.find_first_of(" \t\r\n") != std::string_view::npos) return invalid;

    // The authority rules (brackets around IPv6, a port from 1 to 65535) are those of the
    // loopback client's parser; only the default port differs.
    const bool port_given = authority.rfind(':') != std::string_view::npos &&
                            (authority.front() != '[' || authority.back() != ']');
    auto plain = parse_http_url("http://" + std::string(url));
    if (!plain) return plain.error();
    result.host = std::move(plain->host);
    result.target = std::move(plain->target);
    if (port_given) result.port = plain->port;
    return result;
}

}  // namespace hodi::adapters
