// The M-Pesa side of the tester's phone: the STK prompts the sandbox Daraja shows it. `hodi sim`
// holds the phone at the sandbox, so a prompt waits for the tester instead of being answered by
// the sandbox's rules, shows it as the handset would, and answers it with a PIN or Cancel.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "adapters/http_client.hpp"

namespace hodi::app {

struct StkPrompt {
    std::string checkout_request_id;
    std::string text;  ///< as the handset shows it: "Do you want to pay KES 1,000 to ..."
    std::int64_t amount_kes = 0;
};

struct PromptWait {
    std::optional<StkPrompt> prompt;
    std::string error;  ///< why there is none: nothing came in time, or the sandbox failed
};

// A payout's M-Pesa confirmation, as the phone's SMS words it.
struct PayoutWait {
    std::optional<std::string> message;
    std::string error;  ///< why there is none
};

struct PromptAnswer {
    std::string result_code;  ///< M-Pesa's: "0" paid, "1032" cancelled, "2001" wrong PIN
    std::string result_desc;
    std::string error;  ///< non-empty: the answer, or its delivery to hodi, failed; says how

    bool ok() const { return error.empty(); }
};

// Where prompts come from; the real one is the sandbox over HTTP, tests fake it.
class PromptDesk {
public:
    virtual ~PromptDesk() = default;
    // Holds `phone`'s prompts for the tester (true) or lets the sandbox answer them (false).
    // Answers "" or why not.
    virtual std::string hold(std::string_view phone, bool held) = 0;
    // The oldest prompt on `phone` not yet answered, waiting for one up to `wait`.
    virtual PromptWait next_prompt(std::string_view phone, std::chrono::milliseconds wait) = 0;
    // Accepts `checkout` with `pin`, or cancels it without one, then waits up to `wait` until
    // hodi has taken the result: the next screen already shows what it did.
    virtual PromptAnswer answer(const std::string& checkout, const std::optional<std::string>& pin,
                                std::chrono::milliseconds wait) = 0;
    // The next payout to `phone` that M-Pesa has answered and hodi has taken the result of,
    // not seen before through this desk, waiting for one up to `wait`.
    virtual PayoutWait next_payout(std::string_view phone, std::chrono::milliseconds wait) = 0;
};

// The sandbox Daraja's tester routes (/sandbox/...) at `url` (http://host:port), polled every
// `poll` while waiting. Not thread-safe. Throws std::invalid_argument on a malformed URL.
class HttpPromptDesk final : public PromptDesk {
public:
    explicit HttpPromptDesk(std::string_view url,
                            std::chrono::milliseconds poll = std::chrono::milliseconds{100});

    std::string hold(std::string_view phone, bool held) override;
    PromptWait next_prompt(std::string_view phone, std::chrono::milliseconds wait) override;
    PromptAnswer answer(const std::string& checkout, const std::optional<std::string>& pin,
                        std::chrono::milliseconds wait) override;
    PayoutWait next_payout(std::string_view phone, std::chrono::milliseconds wait) override;

private:
    adapters::HttpClient client_;
    std::chrono::milliseconds poll_;
    std::set<std::string> payouts_seen_;  ///< ConversationIDs already shown
};

// Draws a prompt as the handset shows it, framed like a USSD screen.
std::string frame_prompt(const StkPrompt& prompt);

}  // namespace hodi::app
