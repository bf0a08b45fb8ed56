// application/x-www-form-urlencoded bodies (AT callbacks): percent escapes, '+' as space, and the
// decoded fields in a small flat map. Beast-free, so any adapter or tool may include it.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hodi::adapters {

inline constexpr std::size_t form_fields_max = 64;  // fields accepted in one body

// Why a form body was refused. The message names the problem; it never echoes field values,
// which may hold a PIN.
enum class FormError {
    bad_escape = 1,   ///< a '%' not followed by two hex digits
    too_many_fields,  ///< more than form_fields_max fields
    empty_name,       ///< a field such as "=value" with no name
};
const boost::system::error_category& form_category();
boost::system::error_code make_error_code(FormError error);

// Decodes one percent-encoded component into `out` (replacing its contents): "%2B" -> '+',
// '+' -> ' '. Returns false on a malformed escape ("%", "%4", "%zz").
bool form_decode(std::string_view encoded, std::string& out);

// Decodes the fields of a whole body in order and hands each to `field(name, value)` (two
// std::string&, scratch space reused from field to field: move out what you keep). Empty pairs
// ("a=1&&b=2") are skipped and a field without '=' has an empty value; stops at the first
// malformed field. What parse_form does, without building a Form, for a caller that wants a
// few known fields.
template <class Field>
boost::system::error_code for_each_field(std::string_view body, Field&& field) {
    std::string name;
    std::string value;
    std::size_t pairs = 0;
    for (std::size_t start = 0; start <= body.size();) {
        std::size_t end = body.find('&', start);
        if (end == std::string_view::npos) end = body.size();
        const std::string_view pair = body.substr(start, end - start);
        start = end + 1;
        if (pair.empty()) continue;
        if (++pairs > form_fields_max) return make_error_code(FormError::too_many_fields);
        const std::size_t equals = pair.find('=');
        const std::string_view raw_name = pair.substr(0, equals);
        const std::string_view raw_value =
            equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
        if (raw_name.empty()) return make_error_code(FormError::empty_name);
        if (!form_decode(raw_name, name) || !form_decode(raw_value, value)) {
            return make_error_code(FormError::bad_escape);
        }
        field(name, value);
    }
    return {};
}

// The decoded fields of one body, in body order. A repeated name keeps its first value, as AT
// never repeats one. A small vector beats a hash map for the five fields AT sends.
// Not thread-safe for writes; a const Form may be shared.
class Form {
public:
    // The value of `name`, or nullptr when the body did not carry the field.
    const std::string* find(std::string_view name) const;
    std::size_t size() const { return fields_.size(); }
    void add(std::string name, std::string value);
    void reserve(std::size_t fields) { fields_.reserve(fields); }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

// Parses a whole body. An empty body is an empty form; empty pairs ("a=1&&b=2") are skipped,
// and a field without '=' has an empty value.
boost::system::result<Form> parse_form(std::string_view body);

}  // namespace hodi::adapters

template <>
struct boost::system::is_error_code_enum<hodi::adapters::FormError> : std::true_type {};
