// Form decoding: escapes, '+', malformed input, flat fields.
#include "adapters/form.hpp"

#include <doctest/doctest.h>

namespace hodi::adapters {

TEST_CASE("form components decode percent escapes and plus signs") {
    // Goal: AT's encoding round-trips. Method: decode known encodings, then malformed ones.
    std::string out;
    CHECK(form_decode("%2B254712345678", out));
    CHECK(out == "+254712345678");
    CHECK(form_decode("1%2A2%2a3", out));
    CHECK(out == "1*2*3");
    CHECK(form_decode("KES+0.10", out));
    CHECK(out == "KES 0.10");
    CHECK(form_decode("", out));
    CHECK(out.empty());
    CHECK(form_decode("a+b%20c++%2Bd%", out) == false);
    CHECK(form_decode("a+b%20c++%2Bd+", out));
    CHECK(out == "a b c  +d ");
    CHECK(form_decode("++%25%2525", out));
    CHECK(out == "  %%25");
    for (const std::string_view bad : {"%", "%4", "%zz", "abc%g1", "1%2", "%+1", "%1+"}) {
        CAPTURE(bad);
        CHECK_FALSE(form_decode(bad, out));
    }
}

TEST_CASE("a form body becomes a flat map of its fields") {
    // Goal: fields are found by name, empty values kept, repeats keep the first. Method: parse
    // one body with every shape.
    const auto form = parse_form("a=1&b=&c&&a=2&d=x%26y");
    REQUIRE(form.has_value());
    CHECK(*form->find("a") == "1");
    CHECK(form->find("b")->empty());
    CHECK(form->find("c")->empty());
    CHECK(*form->find("d") == "x&y");
    CHECK(form->find("e") == nullptr);
    CHECK(form->size() == 4);
    CHECK(parse_form("").has_value());
}

TEST_CASE("malformed form bodies are errors that say why") {
    // Goal: bad bodies are refused with a reason. Method: a bad escape, a nameless field, and
    // too many fields.
    CHECK(parse_form("text=%zz").error() == FormError::bad_escape);
    CHECK(parse_form("=1").error() == FormError::empty_name);
    std::string many;
    for (std::size_t index = 0; index <= form_fields_max; ++index) {
        many += "f" + std::to_string(index) + "=1&";
    }
    CHECK(parse_form(many).error() == FormError::too_many_fields);
    CHECK(make_error_code(FormError::bad_escape).message() == "malformed percent escape");
}

}  // namespace hodi::adapters
