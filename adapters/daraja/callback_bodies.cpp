// Daraja's callback bodies; see callback_bodies.hpp.
#include "adapters/daraja/callback_bodies.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cmath>
#include <functional>

#include "engine/phone.hpp"

namespace hodi::adapters::daraja {

namespace json = boost::json;

namespace {

// Ids and codes are short: anything longer is not Daraja's.
constexpr std::size_t id_chars_max = 64;
// Far above any M-Pesa transaction (250,000 KES at most today), far below overflow.
constexpr std::int64_t amount_kes_max = 1'000'000'000;

bool printable_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
}

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(),
                                        [](unsigned char c) { return std::isdigit(c) != 0; });
}

const json::object* member_object(const json::object& object, std::string_view key) {
    const json::value* found = object.if_contains(key);
    return found != nullptr ? found->if_object() : nullptr;
}

// A string member that is an id: present, not empty, short, printable.
std::optional<std::string> id_member(const json::object& object, std::string_view key) {
    const json::value* found = object.if_contains(key);
    const json::string* text = found != nullptr ? found->if_string() : nullptr;
    if (text == nullptr || text->empty() || text->size() > id_chars_max ||
        !printable_ascii(*text)) {
        return std::nullopt;
    }
    return std::string(*text);
}

std::string text_member(const json::object& object, std::string_view key) {
    const json::value* found = object.if_contains(key);
    const json::string* text = found != nullptr ? found->if_string() : nullptr;
    return text != nullptr ? std::string(*text) : std::string();
}

// An integer or a string as text (Daraja sends shortcodes, dates and phone numbers as either);
// "" for anything else. Integers past 2^53 stay exact: never read through a double.
std::string scalar_text(const json::value& value) {
    if (const std::int64_t* number = value.if_int64()) return std::to_string(*number);
    if (const std::uint64_t* number = value.if_uint64()) return std::to_string(*number);
    if (const json::string* text = value.if_string()) return std::string(*text);
    return {};
}

std::string number_text_member(const json::object& object, std::string_view key) {
    const json::value* found = object.if_contains(key);
    return found != nullptr ? scalar_text(*found) : std::string();
}

std::optional<ResultCode> result_code_of(const json::value* value) {
    if (value == nullptr) return std::nullopt;
    if (const std::int64_t* number = value->if_int64()) return ResultCode{std::to_string(*number)};
    if (const std::uint64_t* number = value->if_uint64()) {
        return ResultCode{std::to_string(*number)};
    }
    const json::string* text = value->if_string();
    const auto code_char = [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; };
    if (text == nullptr || text->empty() || text->size() > id_chars_max ||
        !std::all_of(text->begin(), text->end(), code_char)) {
        return std::nullopt;
    }
    // "0017" and 17 are one code.
    if (all_digits(*text) && text->size() < 19) {
        return ResultCode{std::to_string(std::stoll(std::string(*text)))};
    }
    return ResultCode{std::string(*text)};
}

// "150.00", "150", 150 or 150.0 as whole shillings; nothing for fractions, signs, junk.
std::optional<std::int64_t> whole_kes(const json::value& value) {
    std::optional<std::int64_t> amount;
    if (const std::int64_t* number = value.if_int64()) amount = *number;
    if (const std::uint64_t* number = value.if_uint64()) {
        if (*number <= static_cast<std::uint64_t>(amount_kes_max)) {
            amount = static_cast<std::int64_t>(*number);
        }
    }
    if (const double* number = value.if_double()) {
        if (std::isfinite(*number) && *number >= 0 && *number <= amount_kes_max &&
            std::floor(*number) == *number) {
            amount = static_cast<std::int64_t>(*number);
        }
    }
    if (const json::string* text = value.if_string()) {
        const std::string_view digits(*text);
        const std::size_t point = digits.find('.');
        const std::string_view whole = digits.substr(0, point);
        const std::string_view fraction =
            point == std::string_view::npos ? std::string_view() : digits.substr(point + 1);
        const bool zero_fraction =
            std::all_of(fraction.begin(), fraction.end(), [](char c) { return c == '0'; });
        if (all_digits(whole) && whole.size() <= 10 && fraction.size() <= 2 && zero_fraction &&
            (point == std::string_view::npos || !fraction.empty())) {
            amount = std::stoll(std::string(whole));
        }
    }
    if (!amount || *amount < 1 || *amount > amount_kes_max) return std::nullopt;
    return amount;
}

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

std::optional<json::object> parse_object(std::string_view body, std::string& problem) {
    boost::system::error_code error;
    json::value parsed = json::parse(body, error);
    if (error) {
        problem = "not JSON: " + error.message();
        return std::nullopt;
    }
    json::object* object = parsed.if_object();
    if (object == nullptr) {
        problem = "not a JSON object";
        return std::nullopt;
    }
    return std::move(*object);
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
    // Recorded as {"ResultParameter": [...]}; one SDK models it as the bare list.
    const json::value* parameters = result->if_contains("ResultParameters");
    if (parameters != nullptr && parameters->is_object()) {
        parameters = parameters->get_object().if_contains("ResultParameter");
    }
    bool unreadable_amount = false;
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
