// Token and source checks for provider callbacks.
#include "adapters/callback_guard.hpp"

#include <spdlog/spdlog.h>

#include "adapters/log_text.hpp"

namespace hodi::adapters {

namespace {

constexpr std::string_view token_parameter = "token";
constexpr std::chrono::minutes refusal_log_interval{1};

bool url_safe(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

// Equal without returning early, so the time taken says nothing about where they differ.
// The length is not secret (it is in the configuration's rules), only the bytes are.
bool same_secret(std::string_view expected, std::string_view given) {
    if (expected.size() != given.size()) return false;
    unsigned char difference = 0;
    for (std::size_t index = 0; index < expected.size(); ++index) {
        difference |= static_cast<unsigned char>(expected[index] ^ given[index]);
    }
    return difference == 0;
}

}  // namespace

std::optional<std::string> callback_token_problem(std::string_view token) {
    if (token.size() < callback_token_chars_min) {
        return "a callback token needs at least " + std::to_string(callback_token_chars_min) +
               " characters (32 random ones are best)";
    }
    for (const char c : token) {
        if (!url_safe(c)) return "a callback token may hold only letters, digits, '-' and '_'";
    }
    return std::nullopt;
}

CallbackGuard::CallbackGuard(CallbackAuthSettings settings) : settings_(std::move(settings)) {}

std::string CallbackGuard::pattern(std::string_view base, std::string_view rest) const {
    std::string pattern(base);
    if (settings_.token) pattern.append("/{token}");
    pattern.append(rest);
    return pattern;
}

CallbackVerdict CallbackGuard::check(const HttpRequest& request, const PathParams& params) const {
    if (settings_.token && !same_secret(*settings_.token, params.get(token_parameter))) {
        return CallbackVerdict::unknown;
    }
    if (!settings_.allow_from.empty() && !any_contains(settings_.allow_from, request.client)) {
        return CallbackVerdict::forbidden;
    }
    return CallbackVerdict::admit;
}

HttpReply refused_reply(CallbackVerdict verdict, std::string_view channel,
                        const HttpRequest& request) {
    static LogThrottle wrong_token(refusal_log_interval);
    static LogThrottle wrong_source(refusal_log_interval);
    const bool forbidden = verdict == CallbackVerdict::forbidden;
    std::uint64_t held = 0;
    if ((forbidden ? wrong_source : wrong_token).allow(std::chrono::steady_clock::now(), held)) {
        // The path is not logged: with a wrong token it may be a near miss of the right one.
        spdlog::warn("{} callback refused from {}: {} ({} more refused since the last line)",
                     channel, request.client.to_string(),
                     forbidden ? "source not in the allowlist" : "wrong or missing token", held);
    }
    if (forbidden) {
        return HttpReply{.status = 403, .content_type = "text/plain", .body = "forbidden",
                         .close = true};
    }
    return HttpReply{.status = 404, .content_type = "text/plain", .body = "not found"};
}

}  // namespace hodi::adapters
