// How a setting's text becomes a value: the parsers the configuration table (config.cpp) names
// in its rows. Each reads one text or throws ConfigError prefixed with `where` (the value's
// file:line:col, or the variable's name). Internal to app/.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/config.hpp"
#include "storage/redis_settings.hpp"

namespace hodi::app::config_parsers {

[[noreturn]] void fail(const std::string& where, const std::string& message);

// Digits only, nothing else; nullopt when empty, signed or too large.
std::optional<std::uint64_t> parse_number(std::string_view text);

std::chrono::milliseconds positive_duration(const std::string& text, const std::string& where);
// Zero included ("0s": at once).
std::chrono::milliseconds any_duration(const std::string& text, const std::string& where);
// Positive and under AT's 15 s hop limit.
std::chrono::milliseconds hop_budget(const std::string& text, const std::string& where);
// Whole seconds, or 0 for "the menu's own timeout".
std::chrono::seconds session_timeout(const std::string& text, const std::string& where);
std::string any_text(const std::string& text, const std::string& where);
// "true" or "false".
bool true_or_false(const std::string& text, const std::string& where);
// A callback token (adapters::callback_token_problem says which are refused); "" unsets it.
std::optional<std::string> callback_token(const std::string& text, const std::string& where);
// Comma-separated address ranges ("196.201.214.0/24, 2001:db8::/32"); "" is none.
std::vector<adapters::AddressRange> address_ranges(const std::string& text,
                                                   const std::string& where);
// An HTTP header name (a token, RFC 9110 §5.6.2); "" for none.
std::string header_name(const std::string& text, const std::string& where);
// "HOST:PORT", IPv6 as "[::1]:8080"; port 0 to 65535.
std::pair<std::string, std::uint16_t> host_port(const std::string& text,
                                                const std::string& where);
// A redis:// URL over `current`: what the URL leaves out (timeouts, and the credentials when
// it has none) keeps its value, so HODI_REDIS_URL may move a server without repeating the rest.
storage::RedisSettings redis_url(const std::string& text, const std::string& where,
                                 const storage::RedisSettings& current);

// A size from min to max bytes ("16KiB").
inline auto size_in(std::size_t min, std::size_t max) {
    return [min, max](const std::string& text, const std::string& where) {
        const auto value = parse_size(text);
        if (!value || *value < min || *value > max) {
            fail(where, "expected a size from " + std::to_string(min) + " to " +
                            std::to_string(max) + " bytes (e.g. 16KiB), got '" + text + "'");
        }
        return *value;
    };
}

// A whole number from min to max, as a Number.
template <class Number>
auto whole_in(Number min, Number max) {
    return [min, max](const std::string& text, const std::string& where) {
        const auto value = parse_number(text);
        if (!value || *value < min || *value > max) {
            fail(where, "expected a whole number from " + std::to_string(min) + " to " +
                            std::to_string(max) + ", got '" + text + "'");
        }
        return static_cast<Number>(*value);
    };
}

// One of a few words, each standing for a value; `expected` lists them for the error.
template <class Value>
auto one_of(std::initializer_list<std::pair<std::string_view, Value>> words,
            std::string expected) {
    return [choices = std::vector<std::pair<std::string_view, Value>>(words),
            expected = std::move(expected)](const std::string& text, const std::string& where) {
        for (const auto& [word, value] : choices) {
            if (text == word) return value;
        }
        fail(where, "expected " + expected + ", got '" + text + "'");
    };
}

// A file path, refused when empty; `what` names it in the error ("the `what` must not be empty").
inline auto path_to(std::string what) {
    return [what = std::move(what)](const std::string& text, const std::string& where) {
        if (text.empty()) fail(where, "the " + what + " must not be empty");
        return std::filesystem::path(text);
    };
}

}  // namespace hodi::app::config_parsers
