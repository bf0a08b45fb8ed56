// The bodies Daraja POSTs to hodi, parsed and checked (PROTOCOLS.md §3.6, §3.8, §3.9): the STK
// result, the B2C result and queue timeout, and C2B validation and confirmation. Daraja's
// JSON mixes types (ResultCode a number or a string, amounts 1.00 or "150.00", phone numbers
// past 2^31) and orders list items as it likes; these parsers take every form seen and refuse,
// with a reason, what cannot be read. They decide nothing about money: the caller matches what
// they read against what hodi asked for. Pure: no clock, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hodi::adapters::daraja {

// A body read, or why not (then `value` is empty). Never throws.
template <class T>
struct Parsed {
    std::optional<T> value;
    std::string problem;
    static Parsed refused(std::string why) { return {std::nullopt, std::move(why)}; }
};

// Daraja's ResultCode, whichever JSON type it came as: 0 and "0" are both "0"; codes such as
// "SFC_IC0003" stay as sent.
struct ResultCode {
    std::string text;
    bool success() const { return text == "0"; }
    bool operator==(const ResultCode&) const = default;
};

struct StkCallback {
    std::string merchant_request_id;
    std::string checkout_request_id;  ///< hodi's key for the payment
    ResultCode result;
    std::string result_desc;  ///< wording varies; key on `result`
    // From CallbackMetadata, present on success only, each item possibly missing.
    std::optional<std::int64_t> amount_kes;
    std::optional<std::string> receipt;           ///< MpesaReceiptNumber
    std::optional<std::string> transaction_time;  ///< YYYYMMDDHHmmss, Kenyan time
    std::optional<std::string> phone;             ///< E.164; absent when unreadable
};

// B2C result and queue timeout share one envelope; a timeout carries no parameters.
struct B2cResult {
    std::string originator_conversation_id;  ///< hodi's key for the payout
    std::string conversation_id;
    std::string transaction_id;  ///< on failure Daraja may send a dummy such as "TCF0000000"
    ResultCode result;
    std::string result_desc;
    std::optional<std::int64_t> amount_kes;       ///< TransactionAmount
    std::optional<std::string> receipt;           ///< TransactionReceipt
    std::optional<std::string> completed_time;    ///< YYYYMMDDHHmmss, Kenyan time
    std::optional<std::string> receiver_name;     ///< ReceiverPartyPublicName
};

// C2B validation and confirmation have the same body.
struct C2bPayment {
    std::string trans_id;  ///< the M-Pesa receipt: the key
    std::string trans_time;        ///< YYYYMMDDHHmmss, Kenyan time
    std::int64_t amount_kes = 0;
    std::string business_short_code;
    std::string account;  ///< BillRefNumber trimmed and upper-cased: what the payer typed
    // MSISDN as sent: masked ("2547 ***** 678") or a SHA-256 hash, never a phone to act on.
    std::string payer;
    std::string first_name;
};

// Transaction Status result: the query's own envelope (B2C's shape), and in ResultParameters
// what became of the transaction asked about. A query timeout has the envelope alone.
struct StatusResult {
    std::string query_id;  ///< Result.OriginatorConversationID: hodi's id of the query
    ResultCode result;     ///< of the query: 0 found, 2032 no such transaction, ...
    std::string result_desc;
    std::string original_id;         ///< the payout's OriginatorConversationID, when named
    std::string conversation_id;     ///< the payout's ConversationID, when named
    std::string transaction_status;  ///< "Completed", "Failed", ... as sent
    std::optional<std::int64_t> amount_kes;
    std::optional<std::string> receipt;  ///< ReceiptNo
};

Parsed<StkCallback> parse_stk_callback(std::string_view body);
Parsed<StatusResult> parse_status_result(std::string_view body);
Parsed<B2cResult> parse_b2c_result(std::string_view body);
Parsed<C2bPayment> parse_c2b_payment(std::string_view body);

}  // namespace hodi::adapters::daraja
