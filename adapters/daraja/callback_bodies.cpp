// Daraja's callback bodies; see callback_bodies.hpp.
#include "adapters/daraja/callback_bodies.hpp"

#include <algorithm>
#include <boost/json/value.hpp>
#include <cctype>
#include <functional>

#include "adapters/daraja/json_fields.hpp"
#include "engine/phone.hpp"

namespace hodi::adapters::daraja {

namespace json = boost::json;

namespace {

using json_fields::all_digits;
using json_fields::id_chars_max;
using json_fields::id_member;
using json_fields::member_object;
using json_fields::number_text_member;
using json_fields::parse_object;
using json_fields::printable_ascii;
using json_fields::result_code_of;
using json_fields::scalar_text;
using json_fields::text_member;
using json_fields::whole_kes;

// YYYYMMDDHHmmss, as a JSON number or string.
std::optional<std::string> timestamp_of(const json::value& value) {
    std::string text = scalar_text(value);
    if (text.size() != 14 || !all_digits(text)) return std::nullopt;
    return text;
}

// B2C's "DD.MM.YYYY HH:mm:ss" as YYYYMMDDHHmmss.
std::optional<std::string> b2c_time_of(const json::value& value) {
    const json::string* text = value.if_string();
    if (text == nullptr || text->size() != 19) return std::nullopt;
    const std::string_view t(*text);
    if (t[2] != '.' || t[5] != '.' || t[10] != ' ' || t[13] != ':' || t[16] != ':') {
        return std::nullopt;
    }
    std::string out;
    out.append(t.substr(6, 4)).append(t.substr(3, 2)).append(t.substr(0, 2));
    out.append(t.substr(11, 2)).append(t.substr(14, 2)).append(t.substr(17, 2));
    if (!all_digits(out)) return std::nullopt;
    return out;
}

std::optional<std::string> phone_of(const json::value& value) {
    const auto msisdn = engine::normalise_msisdn(scalar_text(value));
    if (!msisdn) return std::nullopt;
    return msisdn->e164();
}

// Calls `use(name, value)` for each item of a Daraja list: an array of {NameKey, Value}
// objects (CallbackMetadata.Item, ResultParameters.ResultParameter), in any order; an item
// without a Value (STK's Balance) is skipped.
void for_each_item(const json::value* list, std::string_view name_key,
                   const std::function<void(std::string_view, const json::value&)>& use) {
    const json::array* items = list != nullptr ? list->if_array() : nullptr;
    if (items == nullptr) return;
    for (const json::value& item : *items) {
        const json::object* fields = item.if_object();
        if (fields == nullptr) continue;
        const json::value* name = fields->if_contains(name_key);
        const json::value* value = fields->if_contains("Value");
        if (name == nullptr || !name->is_string() || value == nullptr) continue;
        use(name->get_string(), *value);
    }
}

// A Result's list of parameters: recorded as {"ResultParameter": [...]}; one SDK models it as
// the bare list.
const json::value* result_parameters(const json::object& result) {
    const json::value* parameters = result.if_contains("ResultParameters");
    if (parameters != nullptr && parameters->is_object()) {
        parameters = parameters->get_object().if_contains("ResultParameter");
    }
    return parameters;
}

}  // namespace

Parsed<StkCallback> parse_stk_callback(std::string_view body) {
    std::string problem;
    const auto root = parse_object(body, problem);
    if (!root) return Parsed<StkCallback>::refused(problem);
    const json::object* wrapper = member_object(*root, "Body");
    const json::object* callback = wrapper != nullptr ? member_object(*wrapper, "stkCallback")
                                                      : nullptr;
    if (callback == nullptr) return Parsed<StkCallback>::refused("no Body.stkCallback object");
    StkCallback out;
    auto merchant = id_member(*callback, "MerchantRequestID");
    auto checkout = id_member(*callback, "CheckoutRequestID");
    auto result = result_code_of(callback->if_contains("ResultCode"));
    if (!merchant) return Parsed<StkCallback>::refused("no usable MerchantRequestID");
    if (!checkout) return Parsed<StkCallback>::refused("no usable CheckoutRequestID");
    if (!result) return Parsed<StkCallback>::refused("no usable ResultCode");
    out.merchant_request_id = std::move(*merchant);
    out.checkout_request_id = std::move(*checkout);
    out.result = std::move(*result);
    out.result_desc = text_member(*callback, "ResultDesc");
    const json::object* metadata = member_object(*callback, "CallbackMetadata");
    const json::value* items = metadata != nullptr ? metadata->if_contains("Item") : nullptr;
    bool unreadable_amount = false;
    for_each_item(items, "Name", [&](std::string_view name, const json::value& value) {
        if (name == "Amount") {
            out.amount_kes = whole_kes(value);
            unreadable_amount = !out.amount_kes;
        } else if (name == "MpesaReceiptNumber" && value.is_string()) {
            const std::string_view receipt = value.get_string();
            if (!receipt.empty() && receipt.size() <= id_chars_max && printable_ascii(receipt)) {
                out.receipt = std::string(receipt);
            }
        } else if (name == "TransactionDate") {
            out.transaction_time = timestamp_of(value);
        } else if (name == "PhoneNumber") {
            out.phone = phone_of(value);
        }
    });
    // An amount that is there but cannot be read cannot be checked against the request.
    if (unreadable_amount) return Parsed<StkCallback>::refused("Amount is not whole shillings");
    return {std::move(out), {}};
}

Parsed<B2cResult> parse_b2c_result(std::string_view body) {
    std::string problem;
    const auto root = parse_object(body, problem);
    if (!root) return Parsed<B2cResult>::refused(problem);
    const json::object* result = member_object(*root, "Result");
    if (result == nullptr) return Parsed<B2cResult>::refused("no Result object");
    B2cResult out;
    auto originator = id_member(*result, "OriginatorConversationID");
    auto code = result_code_of(result->if_contains("ResultCode"));
    if (!originator) return Parsed<B2cResult>::refused("no usable OriginatorConversationID");
    if (!code) return Parsed<B2cResult>::refused("no usable ResultCode");
    out.originator_conversation_id = std::move(*originator);
    out.result = std::move(*code);
    out.conversation_id = id_member(*result, "ConversationID").value_or("");
    out.transaction_id = id_member(*result, "TransactionID").value_or("");
    out.result_desc = text_member(*result, "ResultDesc");
    bool unreadable_amount = false;
    const json::value* parameters = result_parameters(*result);
    for_each_item(parameters, "Key", [&](std::string_view key, const json::value& value) {
        if (key == "TransactionAmount") {
            out.amount_kes = whole_kes(value);
            unreadable_amount = !out.amount_kes;
        } else if (key == "TransactionReceipt" && value.is_string()) {
            out.receipt = std::string(value.get_string());
        } else if (key == "TransactionCompletedDateTime") {
            out.completed_time = b2c_time_of(value);
        } else if (key == "ReceiverPartyPublicName" && value.is_string()) {
            out.receiver_name = std::string(value.get_string());
        }
    });
    if (unreadable_amount) {
        return Parsed<B2cResult>::refused("TransactionAmount is not whole shillings");
    }
    return {std::move(out), {}};
}

Parsed<StatusResult> parse_status_result(std::string_view body) {
    std::string problem;
    const auto root = parse_object(body, problem);
    if (!root) return Parsed<StatusResult>::refused(problem);
    const json::object* result = member_object(*root, "Result");
    if (result == nullptr) return Parsed<StatusResult>::refused("no Result object");
    StatusResult out;
    auto query_id = id_member(*result, "OriginatorConversationID");
    auto code = result_code_of(result->if_contains("ResultCode"));
    if (!query_id) return Parsed<StatusResult>::refused("no usable OriginatorConversationID");
    if (!code) return Parsed<StatusResult>::refused("no usable ResultCode");
    out.query_id = std::move(*query_id);
    out.result = std::move(*code);
    out.result_desc = text_member(*result, "ResultDesc");
    bool unreadable_amount = false;
    const json::value* parameters = result_parameters(*result);
    for_each_item(parameters, "Key", [&](std::string_view key, const json::value& value) {
        const std::string text = scalar_text(value);
        if (key == "Amount") {
            out.amount_kes = whole_kes(value);
            unreadable_amount = !out.amount_kes;
        } else if (key == "ReceiptNo" && !text.empty()) {
            out.receipt = text;
        } else if (key == "TransactionStatus") {
            out.transaction_status = text;
        } else if (key == "OriginatorConversationID") {
            out.original_id = text;
        } else if (key == "ConversationID") {
            out.conversation_id = text;
        }
    });
    if (unreadable_amount) return Parsed<StatusResult>::refused("Amount is not whole shillings");
    return {std::move(out), {}};
}

Parsed<C2bPayment> parse_c2b_payment(std::string_view body) {
    std::string problem;
    const auto root = parse_object(body, problem);
    if (!root) return Parsed<C2bPayment>::refused(problem);
    C2bPayment out;
    auto trans_id = id_member(*root, "TransID");
    if (!trans_id) return Parsed<C2bPayment>::refused("no usable TransID");
    out.trans_id = std::move(*trans_id);
    const json::value* amount = root->if_contains("TransAmount");
    const auto kes = amount != nullptr ? whole_kes(*amount) : std::nullopt;
    if (!kes) return Parsed<C2bPayment>::refused("TransAmount is not whole shillings");
    out.amount_kes = *kes;
    const json::value* time = root->if_contains("TransTime");
    const auto when = time != nullptr ? timestamp_of(*time) : std::nullopt;
    if (!when) return Parsed<C2bPayment>::refused("TransTime is not YYYYMMDDHHmmss");
    out.trans_time = *when;
    out.business_short_code = number_text_member(*root, "BusinessShortCode");
    std::string account = text_member(*root, "BillRefNumber");
    const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
    account.erase(account.begin(), std::find_if_not(account.begin(), account.end(), space));
    account.erase(std::find_if_not(account.rbegin(), account.rend(), space).base(),
                  account.end());
    std::transform(account.begin(), account.end(), account.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (account.size() > id_chars_max) {
        return Parsed<C2bPayment>::refused("BillRefNumber is too long");
    }
    out.account = std::move(account);
    out.payer = text_member(*root, "MSISDN");
    out.first_name = text_member(*root, "FirstName");
    return {std::move(out), {}};
}

}  // namespace hodi::adapters::daraja
