// The Daraja API as hodi calls it (PROTOCOLS.md §3): OAuth, STK Push and Query, B2C v3,
// Transaction Status and C2B URL registration, over OutboundHttp. Each call answers what hodi
// may conclude from it, above all whether Daraja may have acted, which decides between sending
// again and asking for a status. Secrets (consumer secret, passkey, initiator credential, the
// token) stay in memory and are never logged.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/daraja/requests.hpp"
#include "adapters/daraja/token_cache.hpp"
#include "adapters/outbound_http.hpp"

namespace hodi::adapters::daraja {

namespace net = boost::asio;

struct DarajaSettings {
    std::string base_url = "https://sandbox.safaricom.co.ke";  ///< no trailing '/'
    std::string consumer_key;
    std::string consumer_secret;
    // STK Push: the paybill (or a till's store number) and its passkey; for a till, PartyB is
    // the till number.
    std::int64_t stk_shortcode = 0;
    std::string passkey;
    std::optional<std::int64_t> till_number;
    // B2C and Transaction Status.
    std::int64_t b2c_shortcode = 0;
    std::string initiator_name;
    std::string security_credential;  ///< the initiator password, RSA-encrypted once at start
    std::string command_id = "BusinessPayment";
    // Where Daraja calls back: "https://host/daraja/TOKEN"; the routes are appended to it.
    std::string callback_base;
    std::chrono::milliseconds call_deadline{10'000};  ///< each HTTP call, token fetch included
};

// What a call came to, as far as money is concerned.
enum class CallVerdict : std::uint8_t {
    answered,   ///< Daraja answered the call (reply holds the body; it may still say no)
    refused,    ///< Daraja refused the request before acting on it, for good (a 4xx): `error`
    throttled,  ///< Apigee's spike arrest or quota (500.003.02/03): not acted on, try later
    not_sent,   ///< the request never left (connect, TLS, no token): send it again later
    unknown,    ///< it may have reached Daraja and been acted on: ask, never repeat blindly
};
std::string_view to_string(CallVerdict verdict);

struct DarajaAnswer {
    CallVerdict verdict = CallVerdict::unknown;
    int status = 0;                     ///< HTTP status, 0 without a reply
    std::string body;                   ///< the reply body, when answered
    std::optional<DarajaError> error;   ///< Daraja's error body, when it sent one
    std::string detail;                 ///< what happened, for logs and last_error; no secrets
};

// Thread-safe: calls may come from any thread; each runs on the client's strand (the token
// cache lives there).
class DarajaClient {
public:
    using WallClock = std::function<std::chrono::system_clock::time_point()>;

    DarajaClient(net::any_io_executor executor, std::shared_ptr<OutboundHttp> http,
                 DarajaSettings settings, WallClock clock = std::chrono::system_clock::now);

    // STK Push for `amount_kes` from `phone` (2547XXXXXXXX), with the prompt's texts.
    net::awaitable<DarajaAnswer> stk_push(std::int64_t phone, std::int64_t amount_kes,
                                          std::string account_reference,
                                          std::string transaction_desc);
    net::awaitable<DarajaAnswer> stk_query(std::string checkout_request_id);
    // B2C v3: `originator_id` is hodi's id for the payout, the same on every attempt.
    net::awaitable<DarajaAnswer> b2c(std::string originator_id, std::int64_t phone,
                                     std::int64_t amount_kes, std::string remarks);
    // Transaction Status of the payout `original_id` (its OriginatorConversationID), asked as
    // `query_id`; the answer arrives at the status routes.
    net::awaitable<DarajaAnswer> transaction_status(std::string query_id,
                                                    std::string original_id,
                                                    std::string receipt);
    net::awaitable<DarajaAnswer> register_c2b(bool completed_by_default, std::string version);

    const DarajaSettings& settings() const { return settings_; }
    std::size_t token_fetches() const { return tokens_.fetches(); }

private:
    net::awaitable<DarajaAnswer> post(std::string path, std::string body);
    net::awaitable<DarajaAnswer> post_on_strand(std::string path, std::string body);
    net::awaitable<boost::system::result<OAuthToken>> fetch_token();

    net::strand<net::any_io_executor> strand_;
    std::shared_ptr<OutboundHttp> http_;
    DarajaSettings settings_;
    WallClock clock_;
    TokenCache tokens_;
};

// What an answer to a POST means: the verdict for `status` and `body`. Pure, for tests.
DarajaAnswer classify_reply(int status, std::string body);

}  // namespace hodi::adapters::daraja
