// Who may reach a provider's callback routes. Africa's Talking signs nothing (PROTOCOLS.md §1),
// so a callback is believed on what the provider allows: a secret token in its path, and a
// source address in an allowlist. Every channel's callbacks (USSD, SMS, Daraja) use one guard.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/address_range.hpp"
#include "adapters/http_message.hpp"
#include "adapters/router.hpp"

namespace hodi::adapters {

// Shortest callback token accepted. A token is URL-safe: letters, digits, '-' and '_'.
inline constexpr std::size_t callback_token_chars_min = 16;

struct CallbackAuthSettings {
    // The secret path segment: with it the routes are /BASE/TOKEN/...; without it, /BASE/...
    std::optional<std::string> token;
    // Sources allowed to call (matched against HttpRequest::client); empty: any source.
    std::vector<AddressRange> allow_from;
};

// Why a token cannot be used, or nullopt when it can.
std::optional<std::string> callback_token_problem(std::string_view token);

// What a guard says about one request.
enum class CallbackVerdict {
    admit,
    unknown,    ///< wrong token: answered exactly as a path no route serves (404)
    forbidden,  ///< source outside the allowlist (403)
};

class CallbackGuard {
public:
    explicit CallbackGuard(CallbackAuthSettings settings);

    // The pattern to register: "/ussd/at" + "/events" becomes "/ussd/at/{token}/events" with a
    // token, "/ussd/at/events" without.
    std::string pattern(std::string_view base, std::string_view rest = {}) const;

    // The token is compared in constant time, so its bytes cannot be guessed one by one.
    CallbackVerdict check(const HttpRequest& request, const PathParams& params) const;

    const CallbackAuthSettings& settings() const { return settings_; }

private:
    CallbackAuthSettings settings_;
};

// The reply to a request the guard did not admit. `channel` names the routes in the log line
// (logged at most once a minute per guard verdict, with how many were refused meanwhile).
HttpReply refused_reply(CallbackVerdict verdict, std::string_view channel,
                        const HttpRequest& request);

}  // namespace hodi::adapters
