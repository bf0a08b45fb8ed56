// The fake Daraja's wire: the bodies it answers and POSTs, in Daraja's exact shapes and number
// formats (PROTOCOLS.md §3), and the readers for the fields it is sent. Pure.
#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cmath>

#include "adapters/daraja/fake_daraja_impl.hpp"
#include "adapters/daraja/json_fields.hpp"

namespace hodi::adapters::daraja::fake {

namespace {

// Where Daraja's B2C results say the queue timeout would have gone (as recorded in the vectors).
constexpr std::string_view internal_timeout_url =
    "https://internalsandbox.safaricom.co.ke/mpesa/b2cresults/v1/submit";
// What a failed payout's result carries instead of a receipt (recorded, see the vectors).
constexpr std::string_view placeholder_transaction_id = "TCF0000000";
constexpr std::int64_t amount_kes_max = 1'000'000'000;

std::string quoted(std::string_view text) { return json::serialize(json::string(text)); }

// Daraja sends ResultCode as a number, except codes such as "SFC_IC0003".
std::string code_json(std::string_view code) {
    if (json_fields::all_digits(code) && code.size() < 10) return std::string(code);
    return quoted(code);
}

// One {"Key"|"Name": ..., "Value": <json>} list item, written by hand so numbers keep Daraja's
// form (150.00, not Boost.JSON's 1.5E2).
std::string item(std::string_view name_key, std::string_view name, std::string_view value) {
    std::string out = "{\"" + std::string(name_key) + "\":" + quoted(name);
    if (!value.empty()) out += ",\"Value\":" + std::string(value);
    return out + "}";
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& one : items) {
        if (!out.empty()) out += ",";
        out += one;
    }
    return out;
}

}  // namespace

HttpReply json_reply(int status, std::string body) {
    return HttpReply{.status = status, .content_type = "application/json", .body = std::move(body)};
}

HttpReply daraja_error(int status, std::string_view code, std::string_view message,
                       std::string_view request_id) {
    json::object body;
    body["requestId"] = request_id;
    body["errorCode"] = code;
    body["errorMessage"] = message;
    return json_reply(status, json::serialize(body));
}

HttpReply invalid_field(std::string_view field, std::string_view request_id) {
    return daraja_error(400, "400.002.02", "Bad Request - Invalid " + std::string(field),
                        request_id);
}

std::string money_text(std::int64_t cents) {
    const std::int64_t magnitude = cents < 0 ? -cents : cents;
    std::string fraction = std::to_string(magnitude % 100);
    if (fraction.size() < 2) fraction.insert(0, "0");
    return (cents < 0 ? "-" : "") + std::to_string(magnitude / 100) + "." + fraction;
}

std::string b2c_time(std::string_view t) {
    if (t.size() != 14) return std::string(t);
    std::string out;
    out.append(t.substr(6, 2)).append(".").append(t.substr(4, 2)).append(".");
    out.append(t.substr(0, 4)).append(" ").append(t.substr(8, 2)).append(":");
    out.append(t.substr(10, 2)).append(":").append(t.substr(12, 2));
    return out;
}

std::string_view result_desc(int code) {
    switch (code) {
        case 0:
            return "The service request is processed successfully.";
        case 1:
            return "The balance is insufficient for the transaction.";
        case 17:
            return "System internal error.";
        case 1001:
            return "Unable to lock subscriber, a transaction is already in process for the "
                   "current subscriber";
        case 1019:
            return "Transaction has expired";
        case 1032:
            return "Request cancelled by user";
        case 1037:
            return "DS timeout user cannot be reached";
        case 2001:
            return "The initiator information is invalid.";
        case 2032:
            return "The transaction receipt number does not exist.";
        case 9999:
            return "The request timed out while waiting in the queue.";
        default:
            return "The transaction could not be completed.";
    }
}

std::string customer_name(std::int64_t phone) {
    static constexpr std::array<std::string_view, 8> names{
        "WANJIKU KAMAU", "OTIENO ODHIAMBO", "AKINYI ATIENO", "MUTUA MWANGI",
        "NJERI WAMBUI",  "CHEBET KIPROP",   "HASSAN ALI",    "NEKESA WAFULA"};
    return std::string(names[static_cast<std::size_t>(phone % 1000) % names.size()]);
}

std::optional<std::int64_t> digits_field(const json::object& body, std::string_view key) {
    const json::value* value = body.if_contains(key);
    if (value == nullptr) return std::nullopt;
    const std::string text = json_fields::scalar_text(*value);
    if (!json_fields::all_digits(text) || text.size() > 18) return std::nullopt;
    return std::stoll(text);
}

std::optional<std::int64_t> amount_field(const json::object& body, std::string_view key) {
    const json::value* value = body.if_contains(key);
    if (value == nullptr) return std::nullopt;
    std::optional<std::int64_t> amount;
    if (const double* number = value->if_double()) {
        // 100.0 is a whole amount; 100.5 is what Daraja refuses.
        if (std::isfinite(*number) && std::floor(*number) == *number && *number > 0 &&
            *number <= static_cast<double>(amount_kes_max)) {
            amount = static_cast<std::int64_t>(*number);
        }
    } else {
        amount = digits_field(body, key);
    }
    if (!amount || *amount < 1 || *amount > amount_kes_max) return std::nullopt;
    return amount;
}

std::optional<std::int64_t> msisdn_field(const json::object& body, std::string_view key) {
    const auto number = digits_field(body, key);
    if (!number) return std::nullopt;
    const std::string text = std::to_string(*number);
    // 2547XXXXXXXX and 2541XXXXXXXX (PROTOCOLS.md §4: 01xx numbers are M-Pesa numbers too).
    if (text.size() != 12 || !(text.starts_with("2547") || text.starts_with("2541"))) {
        return std::nullopt;
    }
    return number;
}

std::optional<std::string> string_field(const json::object& body, std::string_view key) {
    const json::value* value = body.if_contains(key);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    return std::string(value->get_string());
}

bool callback_url_ok(std::string_view url) {
    std::string lower(url);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::size_t host = 0;
    if (lower.starts_with("https://")) host = 8;
    if (lower.starts_with("http://")) host = 7;
    const bool printable =
        std::all_of(url.begin(), url.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
    return host != 0 && url.size() > host && url[host] != '/' && printable;
}

bool timestamp_ok(std::string_view t) {
    if (t.size() != 14 || !json_fields::all_digits(t)) return false;
    const auto part = [t](std::size_t at, std::size_t length) {
        return std::stoi(std::string(t.substr(at, length)));
    };
    const int month = part(4, 2);
    const int day = part(6, 2);
    return month >= 1 && month <= 12 && day >= 1 && day <= 31 && part(8, 2) < 24 &&
           part(10, 2) < 60 && part(12, 2) < 60;
}

std::string stk_accepted_body(const Prompt& prompt) {
    json::object body;
    body["MerchantRequestID"] = prompt.merchant_request_id;
    body["CheckoutRequestID"] = prompt.checkout_request_id;
    body["ResponseCode"] = "0";
    body["ResponseDescription"] = "Success. Request accepted for processing";
    body["CustomerMessage"] = "Success. Request accepted for processing";
    return json::serialize(body);
}

std::string stk_callback_body(const Prompt& prompt) {
    const std::string code = prompt.result.value_or("0");
    std::string callback = "{\"MerchantRequestID\":" + quoted(prompt.merchant_request_id) +
                           ",\"CheckoutRequestID\":" + quoted(prompt.checkout_request_id) +
                           ",\"ResultCode\":" + code_json(code) +
                           ",\"ResultDesc\":" + quoted(prompt.result_desc);
    // Metadata on success only; Balance has no Value; numbers as Daraja writes them.
    if (code == "0") {
        const std::vector<std::string> items{
            item("Name", "Amount", money_text(prompt.amount_kes * 100)),
            item("Name", "MpesaReceiptNumber", quoted(prompt.receipt)), item("Name", "Balance", ""),
            item("Name", "TransactionDate", prompt.transaction_date),
            item("Name", "PhoneNumber", std::to_string(prompt.phone))};
        callback += ",\"CallbackMetadata\":{\"Item\":[" + join(items) + "]}";
    }
    return "{\"Body\":{\"stkCallback\":" + callback + "}}}";
}

std::string stk_query_answer_body(const Prompt& prompt) {
    json::object body;
    body["ResponseCode"] = "0";
    // Daraja's own spelling.
    body["ResponseDescription"] = "The service request has been accepted successsfully";
    body["MerchantRequestID"] = prompt.merchant_request_id;
    body["CheckoutRequestID"] = prompt.checkout_request_id;
    body["ResultCode"] = prompt.result.value_or("");  // a string here, unlike the callback
    body["ResultDesc"] = prompt.result_desc;
    return json::serialize(body);
}

std::string b2c_accepted_body(const Payout& payout) {
    json::object body;
    body["ConversationID"] = payout.conversation_id;
    body["OriginatorConversationID"] = payout.originator_id;
    body["ResponseCode"] = "0";
    body["ResponseDescription"] = "Accept the service request successfully.";
    return json::serialize(body);
}

std::string b2c_result_body(const Payout& payout, std::int64_t utility_cents) {
    const bool paid = payout.result_code == 0;
    std::string result = "{\"ResultType\":0,\"ResultCode\":" + std::to_string(payout.result_code) +
                         ",\"ResultDesc\":" + quoted(result_desc(payout.result_code)) +
                         ",\"OriginatorConversationID\":" + quoted(payout.originator_id) +
                         ",\"ConversationID\":" + quoted(payout.conversation_id) +
                         ",\"TransactionID\":" + quoted(payout.transaction_id);
    if (paid) {
        const std::string receiver =
            std::to_string(payout.phone) + " - " + customer_name(payout.phone);
        const std::vector<std::string> items{
            item("Key", "TransactionAmount", std::to_string(payout.amount_kes)),
            item("Key", "TransactionReceipt", quoted(payout.transaction_id)),
            item("Key", "B2CRecipientIsRegisteredCustomer", quoted("Y")),
            item("Key", "B2CChargesPaidAccountAvailableFunds", money_text(0)),
            item("Key", "ReceiverPartyPublicName", quoted(receiver)),
            item("Key", "TransactionCompletedDateTime", quoted(b2c_time(payout.finalised))),
            item("Key", "B2CUtilityAccountAvailableFunds", money_text(utility_cents)),
            item("Key", "B2CWorkingAccountAvailableFunds", money_text(0))};
        result += ",\"ResultParameters\":{\"ResultParameter\":[" + join(items) + "]}";
    }
    result += ",\"ReferenceData\":{\"ReferenceItem\":" +
              item("Key", "QueueTimeoutURL", quoted(internal_timeout_url)) + "}";
    return "{\"Result\":" + result + "}}";
}

std::string b2c_timeout_body(const Payout& payout) {
    json::object result;
    result["ResultType"] = 0;
    result["ResultCode"] = 9999;
    result["ResultDesc"] = result_desc(9999);
    result["OriginatorConversationID"] = payout.originator_id;
    result["ConversationID"] = payout.conversation_id;
    result["TransactionID"] = placeholder_transaction_id;
    json::object body;
    body["Result"] = std::move(result);
    return json::serialize(body);
}

std::string status_result_body(std::string_view originator_id, std::string_view conversation_id,
                               int code, const Movement* found) {
    if (found != nullptr) code = 0;
    json::object result;
    result["ResultType"] = 0;
    result["ResultCode"] = code;
    result["ResultDesc"] = result_desc(code);
    result["OriginatorConversationID"] = originator_id;
    result["ConversationID"] = conversation_id;
    result["TransactionID"] =
        found != nullptr ? std::string_view(found->receipt) : placeholder_transaction_id;
    if (found != nullptr) {
        json::array items;
        const auto add = [&items](std::string_view key, std::string_view value) {
            json::object one;
            one["Key"] = key;
            one["Value"] = value;
            items.push_back(std::move(one));
        };
        add("ReceiptNo", found->receipt);
        add("ConversationID", found->conversation_id);
        add("FinalisedTime", found->finalised);
        add("Amount", std::to_string(found->amount_kes));
        add("TransactionStatus", found->status);
        add("ReasonType", found->reason_type);
        add("TransactionReason", "");
        add("DebitPartyCharges", "");
        add("DebitAccountType", "Utility Account");
        add("InitiatedTime", found->initiated);
        add("OriginatorConversationID", found->originator_id);
        add("CreditPartyName", found->credit_party);
        add("DebitPartyName", found->debit_party);
        json::object parameters;
        parameters["ResultParameter"] = std::move(items);
        result["ResultParameters"] = std::move(parameters);
    }
    json::object reference;
    reference["Key"] = "Occasion";
    json::object data;
    data["ReferenceItem"] = std::move(reference);
    result["ReferenceData"] = std::move(data);
    json::object body;
    body["Result"] = std::move(result);
    return json::serialize(body);
}

std::string c2b_body(const C2bPayment& payment, bool confirmation) {
    const std::string msisdn = std::to_string(payment.phone);
    const std::string name = customer_name(payment.phone);
    json::object body;
    body["TransactionType"] = payment.paybill ? "Pay Bill" : "Buy Goods";
    body["TransID"] = payment.trans_id;
    body["TransTime"] = payment.trans_time;
    body["TransAmount"] = money_text(payment.amount_kes * 100);
    body["BusinessShortCode"] = payment.shortcode;
    body["BillRefNumber"] = payment.bill_ref;
    body["InvoiceNumber"] = "";
    body["OrgAccountBalance"] = confirmation ? money_text(payment.org_balance_cents) : "";
    body["ThirdPartyTransID"] = confirmation ? payment.third_party_trans_id : "";
    body["MSISDN"] = payment.hashed_msisdn ? sha256_hex(msisdn) : msisdn;
    body["FirstName"] = name.substr(0, name.find(' '));
    body["MiddleName"] = "";
    body["LastName"] = name.substr(name.find(' ') + 1);
    return json::serialize(body);
}

}  // namespace hodi::adapters::daraja::fake
