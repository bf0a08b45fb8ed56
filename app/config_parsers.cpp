// The configuration's text parsers (config_parsers.hpp), and the public parse_duration,
// parse_size and set_listen (config.hpp) built on them.
#include "app/config_parsers.hpp"

#include <charconv>
#include <stdexcept>
#include <tuple>

namespace hodi::app {

namespace config_parsers {

namespace {

using namespace std::chrono_literals;

// AT gives up on a hop after 15 s (PROTOCOLS.md §1.5); a budget that long would answer nobody.
constexpr std::chrono::milliseconds hop_budget_limit = 15s;

}  // namespace

[[noreturn]] void fail(const std::string& where, const std::string& message) {
    throw ConfigError(where + ": " + message);
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::chrono::milliseconds positive_duration(const std::string& text, const std::string& where) {
    const auto value = parse_duration(text);
    if (!value || value->count() <= 0) {
        fail(where, "expected a positive duration such as 200ms, 10s or 3m, got '" + text + "'");
    }
    return *value;
}

std::chrono::milliseconds any_duration(const std::string& text, const std::string& where) {
    const auto value = parse_duration(text);
    if (!value) fail(where, "expected a duration such as 0s, 500ms or 2s, got '" + text + "'");
    return *value;
}

std::chrono::milliseconds hop_budget(const std::string& text, const std::string& where) {
    const std::chrono::milliseconds value = positive_duration(text, where);
    if (value >= hop_budget_limit) fail(where, "the hop budget must be under 15s");
    return value;
}

std::chrono::seconds session_timeout(const std::string& text, const std::string& where) {
    if (text == "0") return 0s;
    const auto value =
        std::chrono::duration_cast<std::chrono::seconds>(positive_duration(text, where));
    if (value.count() == 0) fail(where, "a session timeout is whole seconds (or 0)");
    return value;
}

std::string any_text(const std::string& text, const std::string&) { return text; }

bool true_or_false(const std::string& text, const std::string& where) {
    if (text == "true") return true;
    if (text == "false") return false;
    fail(where, "expected true or false, got '" + text + "'");
}

std::optional<std::string> callback_token(const std::string& text, const std::string& where) {
    if (text.empty()) return std::nullopt;
    // The token itself is never repeated in the error: it is a secret even when malformed.
    if (const auto problem = adapters::callback_token_problem(text)) fail(where, *problem);
    return text;
}

std::vector<adapters::AddressRange> address_ranges(const std::string& text,
                                                   const std::string& where) {
    std::string bad;
    auto ranges = adapters::parse_address_ranges(text, &bad);
    if (!ranges) {
        fail(where, "expected addresses or CIDR ranges such as 196.201.214.0/24, got '" + bad +
                        "'");
    }
    return std::move(*ranges);
}

std::string header_name(const std::string& text, const std::string& where) {
    constexpr std::string_view token_marks = "!#$%&'*+-.^_`|~";
    for (const char c : text) {
        const bool alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                  (c >= '0' && c <= '9');
        if (!alphanumeric && token_marks.find(c) == std::string_view::npos) {
            fail(where, "expected an HTTP header name such as X-Forwarded-For, got '" + text +
                            "'");
        }
    }
    return text;
}

std::pair<std::string, std::uint16_t> host_port(const std::string& text,
                                                const std::string& where) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        fail(where, "expected HOST:PORT such as 127.0.0.1:8080, got '" + text + "'");
    }
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);  // [::1]:8080
    }
    const auto port = parse_number(std::string_view(text).substr(colon + 1));
    if (!port || *port > 65535) fail(where, "expected a port from 0 to 65535 in '" + text + "'");
    return {std::move(host), static_cast<std::uint16_t>(*port)};
}

storage::RedisSettings redis_url(const std::string& text, const std::string& where,
                                 const storage::RedisSettings& current) {
    try {
        return storage::parse_redis_url(text, current);
    } catch (const std::invalid_argument& error) {
        fail(where, error.what());
    }
}

}  // namespace config_parsers

namespace {

// Splits "123unit" into the number and the unit.
std::optional<std::pair<std::uint64_t, std::string_view>> split_unit(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    const auto number = config_parsers::parse_number(text.substr(0, digits));
    if (!number) return std::nullopt;
    std::string_view unit = text.substr(digits);
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    return std::pair{*number, unit};
}

}  // namespace

void set_listen(Config& config, std::string_view host_port, std::string_view source) {
    std::tie(config.http.address, config.http.port) =
        config_parsers::host_port(std::string(host_port), std::string(source));
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    const auto parts = split_unit(text);
    if (!parts) return std::nullopt;
    const auto [number, unit] = *parts;
    if (number > 1'000'000'000ULL) return std::nullopt;
    const auto value = static_cast<std::int64_t>(number);
    if (unit == "ms") return std::chrono::milliseconds(value);
    if (unit.empty() || unit == "s") return std::chrono::seconds(value);
    if (unit == "m") return std::chrono::minutes(value);
    if (unit == "h") return std::chrono::hours(value);
    return std::nullopt;
}

std::optional<std::size_t> parse_size(std::string_view text) {
    const auto parts = split_unit(text);
    if (!parts) return std::nullopt;
    const auto [number, unit] = *parts;
    if (number > (1ULL << 40)) return std::nullopt;
    if (unit.empty() || unit == "B") return number;
    if (unit == "KiB" || unit == "KB" || unit == "K") return number * 1024;
    if (unit == "MiB" || unit == "MB" || unit == "M") return number * 1024 * 1024;
    return std::nullopt;
}

}  // namespace hodi::app
