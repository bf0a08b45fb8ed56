// Readers for the fields of Daraja's JSON, which mixes types from one body to the next: ids,
// texts, numbers sent as strings or numbers, ResultCodes, whole-shilling amounts. Internal to
// adapters/daraja.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/daraja/callback_bodies.hpp"

namespace hodi::adapters::daraja::json_fields {

namespace json = boost::json;

// Ids and codes are short: anything longer is not Daraja's.
inline constexpr std::size_t id_chars_max = 64;

bool printable_ascii(std::string_view text);
bool all_digits(std::string_view text);  ///< false for ""

const json::object* member_object(const json::object& object, std::string_view key);
// A string member that is an id: present, not empty, short, printable.
std::optional<std::string> id_member(const json::object& object, std::string_view key);
std::string text_member(const json::object& object, std::string_view key);  ///< "" if absent
// An integer or a string as text (Daraja sends shortcodes, dates and phone numbers as either);
// "" for anything else. Integers past 2^53 stay exact: never read through a double.
std::string scalar_text(const json::value& value);
std::string number_text_member(const json::object& object, std::string_view key);
// 0 and "0" are one code, as are 17 and "0017"; "SFC_IC0003" stays as sent.
std::optional<ResultCode> result_code_of(const json::value* value);
// "150.00", "150", 150 or 150.0 as whole shillings; nothing for fractions, signs, junk.
std::optional<std::int64_t> whole_kes(const json::value& value);
// The body as a JSON object, or nothing and why.
std::optional<json::object> parse_object(std::string_view body, std::string& problem);
// A body whose `code_key` member is a ResultCode, or nothing and why.
struct Coded {
    json::object object;
    ResultCode code;
};
std::optional<Coded> coded_body(std::string_view body, std::string_view code_key,
                                std::string& problem);

}  // namespace hodi::adapters::daraja::json_fields
