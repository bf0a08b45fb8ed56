// Kenyan MSISDN normalisation against vectors/ke_phone_normalisation.json.
#include "engine/phone.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "tests/support/vectors.hpp"

namespace hodi::test {
namespace {

void check_case(const boost::json::object& row, std::string_view policy_name,
                engine::PhonePolicy policy) {
    const std::string input(row.at("input").as_string());
    const boost::json::value& expected = row.at(policy_name);
    const auto got = engine::normalise_msisdn(input, policy);
    INFO("input '" << input << "' policy " << std::string(policy_name) << ": "
         << std::string(row.at("why").as_string()));
    if (expected.is_null()) {
        CHECK_FALSE(got.has_value());
        return;
    }
    REQUIRE(got.has_value());
    CHECK(got->e164() == expected.at("e164").as_string());
    CHECK(got->daraja() == expected.at("daraja").as_string());
    CHECK(got->display() == expected.at("display").as_string());
}

TEST_CASE("every phone vector normalises as listed under both policies") {
    // Goal: PROTOCOLS.md §4 exactly. Method: each case of the vector, lenient and strict.
    const boost::json::value vector = load_vector("ke_phone_normalisation.json");
    const auto& cases = vector.at("cases").as_array();
    REQUIRE(cases.size() >= 20);
    for (const auto& row : cases) {
        check_case(row.as_object(), "lenient", engine::PhonePolicy::lenient);
        check_case(row.as_object(), "strict", engine::PhonePolicy::strict);
    }
}

TEST_CASE("separators are stripped but other characters are refused") {
    // Goal: step 1 of the algorithm. Method: brackets and dots pass; a letter or inner + fails.
    CHECK(engine::normalise_msisdn("(0712).345.678")->e164() == "+254712345678");
    CHECK_FALSE(engine::normalise_msisdn("0712+345678"));
    CHECK_FALSE(engine::normalise_msisdn("0712x45678"));
    CHECK_FALSE(engine::normalise_msisdn("+"));
    CHECK_FALSE(engine::normalise_msisdn("254"));
}

TEST_CASE("strict accepts every allocated 01x range and refuses the gaps") {
    // Goal: the hand-written strict pattern. Method: boundaries of each 01x block.
    using engine::PhonePolicy;
    for (const char* good :
         {"0100123456", "0108123456", "0111123456", "0181123456", "0120123456", "0124123456",
          "0130123456", "0135123456", "0139123456", "0146123456"}) {
        CHECK_MESSAGE(engine::normalise_msisdn(good, PhonePolicy::strict).has_value(), good);
    }
    for (const char* bad : {"0109123456", "0122123456", "0131123456", "0147123456", "0151123456",
                            "0191123456"}) {
        CHECK_FALSE(engine::normalise_msisdn(bad, PhonePolicy::strict).has_value());
        CHECK(engine::normalise_msisdn(bad, PhonePolicy::lenient).has_value());
    }
}

}  // namespace
}  // namespace hodi::test
