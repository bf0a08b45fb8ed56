// Parsing of "redis://" URLs into RedisSettings; see redis_settings.hpp.
#include "storage/redis_settings.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace hodi::storage {

namespace {

[[noreturn]] void fail(std::string_view url, std::string_view why) {
    throw std::invalid_argument("bad Redis URL '" + std::string(url) + "': " + std::string(why) +
                                " (expected redis://[:password@]HOST:PORT/DB)");
}

template <typename Integer>
bool parse_integer(std::string_view text, Integer& value) {
    if (text.empty()) return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace

RedisSettings parse_redis_url(std::string_view url, RedisSettings base) {
    constexpr std::string_view scheme = "redis://";
    if (url.substr(0, scheme.size()) != scheme) fail(url, "it must start with redis://");
    std::string_view rest = url.substr(scheme.size());

    // The password may itself hold '@' or ':', so the last '@' ends the credentials.
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        const std::string_view credentials = rest.substr(0, at);
        const auto colon = credentials.find(':');
        if (colon == std::string_view::npos) fail(url, "credentials must be [user]:password");
        base.username = std::string(credentials.substr(0, colon));
        base.password = std::string(credentials.substr(colon + 1));
        if (base.password.empty()) fail(url, "the password after ':' is empty");
        rest = rest.substr(at + 1);
    }

    std::string_view authority = rest;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        authority = rest.substr(0, slash);
        const std::string_view db = rest.substr(slash + 1);
        if (!db.empty() && (!parse_integer(db, base.db) || base.db < 0)) {
            fail(url, "the database after '/' must be a number from 0");
        }
        if (db.empty()) base.db = 0;
    }

    std::string_view host = authority;
    if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        unsigned short port = 0;
        if (!parse_integer(authority.substr(colon + 1), port) || port == 0) {
            fail(url, "the port must be a number from 1 to 65535");
        }
        base.port = port;
    }
    if (host.empty()) fail(url, "the host is missing");
    if (host.find_first_of("[]/?#") != std::string_view::npos) {
        fail(url, "the host must be a name or an IPv4 address");
    }
    base.host = std::string(host);
    return base;
}

}  // namespace hodi::storage
