// The bodies hodi sends to Daraja and the synchronous answers it gets back (PROTOCOLS.md §3.2-
// §3.8): OAuth, STK Push and Query, B2C v3 with its SecurityCredential, and Daraja's error
// body. Pure (no clock, no socket); the client that sends them lives beside.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/daraja/callback_bodies.hpp"

namespace hodi::adapters::daraja {

// MSISDNs and shortcodes are JSON numbers in Daraja's requests (2547XXXXXXXX, no '+').
struct StkPushRequest {
    std::int64_t shortcode = 0;  ///< BusinessShortCode: the paybill, or a till's store number
    std::int64_t party_b = 0;    ///< the paybill again, or the till number
    bool till = false;           ///< CustomerBuyGoodsOnline instead of CustomerPayBillOnline
    std::string password;        ///< stk_password(shortcode, passkey, timestamp)
    std::string timestamp;       ///< kenya_timestamp(now)
    std::int64_t amount_kes = 0;
    std::int64_t phone = 0;      ///< pays (PartyA) and gets the prompt (PhoneNumber)
    std::string callback_url;
    std::string account_reference;  ///< checked with prompt_text_problem
    std::string transaction_desc;
};
std::string stk_push_body(const StkPushRequest& request);
std::string stk_query_body(std::int64_t shortcode, std::string_view password,
                           std::string_view timestamp, std::string_view checkout_request_id);

struct B2cRequest {
    std::string originator_conversation_id;  ///< hodi's id of the payout: Daraja's idempotency key
    std::string initiator_name;
    std::string security_credential;  ///< security_credential(certificate, password)
    std::string command_id = "BusinessPayment";
    std::int64_t amount_kes = 0;
    std::int64_t party_a = 0;  ///< the B2C shortcode
    std::int64_t party_b = 0;  ///< the subscriber, 2547XXXXXXXX
    std::string remarks;       ///< at most 100 characters
    std::string queue_timeout_url;
    std::string result_url;
    std::string occasion;  ///< optional; left out when empty
};
std::string b2c_body(const B2cRequest& request);

// Transaction Status (`/mpesa/transactionstatus/v1/query`): how hodi learns what became of a
// payout whose answer it never got. The result arrives later at result_url.
struct StatusQueryRequest {
    std::string originator_conversation_id;  ///< this query's own id: the result names it
    std::string initiator_name;
    std::string security_credential;
    std::string transaction_id;  ///< the M-Pesa receipt when known; may be empty
    std::string original_conversation_id;  ///< the payout's OriginatorConversationID
    std::int64_t party_a = 0;              ///< the shortcode that paid
    std::string remarks;
    std::string queue_timeout_url;
    std::string result_url;
};
std::string transaction_status_body(const StatusQueryRequest& request);

// C2B URL registration: where Daraja tells hodi of paybill payments. `completed_by_default`
// is what Daraja does when validation does not answer in time (`ResponseType`).
std::string c2b_register_body(std::int64_t shortcode, bool completed_by_default,
                              std::string_view confirmation_url, std::string_view validation_url);

// SecurityCredential: base64 of the initiator password encrypted with RSA PKCS#1 v1.5 under
// Safaricom's public key, given as a PEM certificate (whose dates are ignored: the keys in use
// sit in long-expired certificates) or a PEM public key. Random per call. Nothing when the PEM
// holds no RSA key; `problem` then says why.
std::optional<std::string> security_credential(std::string_view pem,
                                               std::string_view initiator_password,
                                               std::string& problem);

struct OAuthToken {
    std::string access_token;
    std::chrono::seconds expires_in{0};  ///< sent as a string ("3599")
};
Parsed<OAuthToken> parse_oauth_response(std::string_view body);

// Daraja's error body: {"requestId", "errorCode", "errorMessage"}.
struct DarajaError {
    std::string request_id;
    std::string code;  ///< e.g. "400.002.02"
    std::string message;
    bool throttled() const { return code == "500.003.02" || code == "500.003.03"; }
    bool invalid_token() const { return code == "401.002.01"; }
    // STK Query's "The transaction is being processed": no outcome yet.
    // Daraja sends the same code for a wrong Password ("Wrong credentials"): only the message
    // tells them apart.
    bool still_processing() const {
        return code == "500.001.1001" && message.find("being processed") != std::string::npos;
    }
    // "Bad Request - Invalid CheckoutRequestID" and the like: Daraja holds nothing under the
    // id `field` names.
    bool invalid(std::string_view field) const {
        return code == "400.002.02" && message.find(field) != std::string::npos;
    }
};
std::optional<DarajaError> parse_error_body(std::string_view body);

// STK Push and B2C answer "ResponseCode": "0" when the request was accepted for processing
// (no money has moved yet); the ids key what comes next.
struct Accepted {
    ResultCode response;
    std::string description;
    std::string merchant_request_id;         ///< STK
    std::string checkout_request_id;         ///< STK: the payment's key
    std::string conversation_id;             ///< B2C
    std::string originator_conversation_id;  ///< B2C: echoes hodi's
};
Parsed<Accepted> parse_accepted(std::string_view body);

// STK Query's answer: an outcome, or still pending (ResultCode 4999, or the error body
// 500.001.1001, which the caller reads with parse_error_body).
struct StkQueryAnswer {
    bool pending = false;
    ResultCode result;
    std::string result_desc;
};
Parsed<StkQueryAnswer> parse_stk_query_response(std::string_view body);

}  // namespace hodi::adapters::daraja
