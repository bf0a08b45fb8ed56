// JSON field readers shared by Daraja's bodies; see json_fields.hpp.
#include "adapters/daraja/json_fields.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cctype>
#include <cmath>

namespace hodi::adapters::daraja::json_fields {

namespace {

// Far above any M-Pesa transaction (250,000 KES at most today), far below overflow.
constexpr std::int64_t amount_kes_max = 1'000'000'000;

}  // namespace


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

std::optional<Coded> coded_body(std::string_view body, std::string_view code_key,
                                std::string& problem) {
    auto object = parse_object(body, problem);
    if (!object) return std::nullopt;
    auto code = result_code_of(object->if_contains(code_key));
    if (!code) {
        problem = "no usable " + std::string(code_key);
        return std::nullopt;
    }
    return Coded{std::move(*object), std::move(*code)};
}

}  // namespace hodi::adapters::daraja::json_fields
