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
