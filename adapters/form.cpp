// Decoding of application/x-www-form-urlencoded bodies.
#include "adapters/form.hpp"

#include <algorithm>

namespace hodi::adapters {

namespace {

class FormCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "hodi.form"; }
    std::string message(int value) const override {
        switch (static_cast<FormError>(value)) {
            case FormError::bad_escape: return "malformed percent escape";
            case FormError::too_many_fields: return "too many form fields";
            case FormError::empty_name: return "form field without a name";
        }
        return "malformed form body";
    }
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

const boost::system::error_category& form_category() {
    static const FormCategory category;
    return category;
}

boost::system::error_code make_error_code(FormError error) {
    return {static_cast<int>(error), form_category()};
}

bool form_decode(std::string_view encoded, std::string& out) {
    out.clear();
    out.reserve(encoded.size());
    // Runs of plain characters are copied whole (memchr finds the next '+' and '%'): most
    // values have few escapes or none.
    std::size_t next_plus = encoded.find('+');
    std::size_t next_escape = encoded.find('%');
    std::size_t index = 0;
    for (;;) {
        const std::size_t special = std::min(next_plus, next_escape);
        const std::size_t plain_end = std::min(special, encoded.size());
        out.append(encoded.data() + index, plain_end - index);
        if (special == std::string_view::npos) return true;
        if (special == next_plus) {
            out.push_back(' ');
            index = special + 1;
            next_plus = encoded.find('+', index);
            continue;
        }
        if (special + 2 >= encoded.size()) return false;
        const int high = hex_value(encoded[special + 1]);
        const int low = hex_value(encoded[special + 2]);
        if (high < 0 || low < 0) return false;
        out.push_back(static_cast<char>(high * 16 + low));
        index = special + 3;
        next_escape = encoded.find('%', index);
    }
}

const std::string* Form::find(std::string_view name) const {
    for (const auto& field : fields_) {
        if (field.first == name) return &field.second;
    }
    return nullptr;
}

void Form::add(std::string name, std::string value) {
    if (find(name) != nullptr) return;
    fields_.emplace_back(std::move(name), std::move(value));
}

boost::system::result<Form> parse_form(std::string_view body) {
    Form form;
    form.reserve(8);  // AT sends five or six fields: one allocation, not four
    const auto failed = for_each_field(body, [&form](std::string& name, std::string& value) {
        form.add(std::move(name), std::move(value));
    });
    if (failed) return failed;
    return form;
}

}  // namespace hodi::adapters
