// Input checks one by one: what each accepts, refuses, and keeps.
#include "engine/checks.hpp"

#include <doctest/doctest.h>

#include <regex>
#include <thread>
#include <vector>

namespace hodi::test {
namespace {

using engine::CheckKind;
using engine::InputCheck;

InputCheck check_of(CheckKind kind) {
    InputCheck check;
    check.kind = kind;
    return check;
}

TEST_CASE("any accepts text within its length bounds, counted in characters") {
    // Goal: CheckKind::any. Method: empty, within, over, and a multi-byte entry.
    InputCheck check = check_of(CheckKind::any);
    check.min_length = 2;
    check.max_length = 5;
    CHECK_FALSE(engine::check_entry(check, "a"));
    CHECK(engine::check_entry(check, "ab")->value == "ab");
    CHECK_FALSE(engine::check_entry(check, "abcdef"));
    CHECK(engine::check_entry(check, "\xC3\xA9\xC3\xA9\xC3\xA9"));
}

TEST_CASE("digits accepts only 0-9 within its length bounds") {
    // Goal: CheckKind::digits. Method: letters, signs, spaces, lengths.
    InputCheck check = check_of(CheckKind::digits);
    check.max_length = 4;
    CHECK(engine::check_entry(check, "0042")->value == "0042");
    CHECK_FALSE(engine::check_entry(check, "12a"));
    CHECK_FALSE(engine::check_entry(check, "-12"));
    CHECK_FALSE(engine::check_entry(check, "12345"));
    CHECK_FALSE(engine::check_entry(check, ""));
}

TEST_CASE("amounts parse whole and decimal shillings into cents") {
    // Goal: parse_amount_cents and format_shillings. Method: the accepted spellings.
    CHECK(engine::parse_amount_cents("1500") == 150000);
    CHECK(engine::parse_amount_cents("1500.5") == 150050);
    CHECK(engine::parse_amount_cents("1500.05") == 150005);
    CHECK(engine::parse_amount_cents("1,500") == 150000);
    CHECK(engine::parse_amount_cents("12,500.50") == 1250050);
    CHECK(engine::parse_amount_cents("1,000,000") == 100000000);
    CHECK(engine::format_shillings(150000) == "1500");
    CHECK(engine::format_shillings(150050) == "1500.50");
    CHECK(engine::format_shillings(5) == "0.05");
}

TEST_CASE("amounts refuse zero, signs, bad commas, three decimals and absurd sizes") {
    // Goal: amount refusals. Method: one malformed spelling per line.
    for (const char* bad : {"0", "0.00", "-5", "+5", "15,00", ",500", "1,5000", "1500.", ".50",
                            "1500.505", "1 500", "1e3", "abc", "", "12345678901234"}) {
        CHECK_MESSAGE(!engine::parse_amount_cents(bad).has_value(), bad);
    }
}

TEST_CASE("an amount check keeps normalised shillings and cents within its bounds") {
    // Goal: check_entry for amounts. Method: min, max, and no upper bound when max is 0.
    InputCheck check = check_of(CheckKind::amount);
    check.min_cents = 1000;
    check.max_cents = 100000;
    CHECK_FALSE(engine::check_entry(check, "9.99"));
    const auto low = engine::check_entry(check, "10");
    REQUIRE(low);
    CHECK(low->value == "10");
    CHECK(low->cents == 1000);
    CHECK(engine::check_entry(check, "1,000.00")->value == "1000");
    CHECK_FALSE(engine::check_entry(check, "1000.01"));
    check.max_cents = 0;
    CHECK(engine::check_entry(check, "9,999,999")->cents == 999999900);
}

TEST_CASE("a PIN is exactly pin_length digits") {
    // Goal: CheckKind::pin. Method: short, long, letters, custom length.
    InputCheck check = check_of(CheckKind::pin);
    CHECK(engine::check_entry(check, "0000"));
    CHECK_FALSE(engine::check_entry(check, "123"));
    CHECK_FALSE(engine::check_entry(check, "12345"));
    CHECK_FALSE(engine::check_entry(check, "12a4"));
    check.pin_length = 6;
    CHECK(engine::check_entry(check, "123456"));
}

TEST_CASE("a phone check keeps E.164 and follows its policy") {
    // Goal: CheckKind::phone. Method: a national number, a gap range under strict.
    InputCheck check = check_of(CheckKind::phone);
    CHECK(engine::check_entry(check, "0712 345 678")->value == "+254712345678");
    CHECK(engine::check_entry(check, "0191234567"));
    check.phone_policy = engine::PhonePolicy::strict;
    CHECK_FALSE(engine::check_entry(check, "0191234567"));
    CHECK_FALSE(engine::check_entry(check, "0201234567"));
}

TEST_CASE("a regex check needs a whole match and its length bounds") {
    // Goal: CheckKind::regex. Method: full, partial and over-long entries.
    InputCheck check = InputCheck::matching("[a-z]+[0-9]?");
    CHECK(check.kind == CheckKind::regex);
    REQUIRE(check.pattern);
    CHECK(check.pattern->text() == "[a-z]+[0-9]?");
    check.max_length = 6;
    CHECK(engine::check_entry(check, "abc1"));
    CHECK_FALSE(engine::check_entry(check, "abc12"));
    CHECK_FALSE(engine::check_entry(check, "1abc"));
    CHECK_FALSE(engine::check_entry(check, "abcdefg"));
}

TEST_CASE("a pattern std::regex cannot compile never becomes a check") {
    // Goal: a check cannot hold a pattern without its compiled form. Method: build checks from
    // malformed patterns; the failure surfaces where the check is built, not at the first hop.
    CHECK_THROWS_AS(InputCheck::matching("(ab"), std::regex_error);
    CHECK_THROWS_AS(engine::Pattern("[a-"), std::regex_error);
}

TEST_CASE("checks with different patterns, used alternately, each keep their own") {
    // Goal: no state is shared between checks. Method: two checks, then a copy of the first
    // whose original is overwritten, are matched in turn; each answers by its own pattern.
    InputCheck letters = InputCheck::matching("[A-Z]{2}");
    const InputCheck digits = InputCheck::matching("[0-9]{2}");
    const InputCheck copy = letters;
    for (int round = 0; round < 3; ++round) {
        CHECK(engine::check_entry(letters, "AB"));
        CHECK_FALSE(engine::check_entry(letters, "12"));
        CHECK(engine::check_entry(digits, "12"));
        CHECK_FALSE(engine::check_entry(digits, "AB"));
    }
    letters = digits;
    CHECK(engine::check_entry(copy, "AB"));
    CHECK_FALSE(engine::check_entry(copy, "12"));
    CHECK(engine::check_entry(letters, "12"));
}

TEST_CASE("one compiled pattern serves several threads at once") {
    // Goal: a Menu's checks may be used from every thread. Method: four threads match with
    // copies of one check (sharing its compiled pattern) and with the check itself.
    const InputCheck shared = InputCheck::matching("[0-9]{1,5}");
    std::vector<std::thread> threads;
    std::vector<int> matches(4, 0);
    for (std::size_t index = 0; index < matches.size(); ++index) {
        threads.emplace_back([&shared, &matches, index] {
            const InputCheck copy = shared;
            for (int round = 0; round < 200; ++round) {
                const InputCheck& check = round % 2 == 0 ? copy : shared;
                const std::string entry(static_cast<std::size_t>(round % 7 + 1), '7');
                if (engine::check_entry(check, entry).has_value() == (round % 7 < 5)) {
                    ++matches[index];
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (const int count : matches) CHECK(count == 200);
}

TEST_CASE("each kind has its own built-in reason, and a check's error overrides it") {
    // Goal: check_reason. Method: every kind in English, one override in Swahili.
    const engine::SystemTexts texts;
    const auto en = engine::Language::en;
    CHECK(engine::check_reason(check_of(CheckKind::digits), texts, en) == "Enter digits only.");
    CHECK(engine::check_reason(check_of(CheckKind::amount), texts, en) == "Invalid amount.");
    CHECK(engine::check_reason(check_of(CheckKind::pin), texts, en) == "Invalid PIN format.");
    CHECK(engine::check_reason(check_of(CheckKind::phone), texts, en) == "Invalid phone number.");
    CHECK(engine::check_reason(check_of(CheckKind::any), texts, en) == "Invalid entry.");
    InputCheck custom = InputCheck::matching("[0-9]+");
    custom.error = engine::Text{{"Bad code.", "Nambari mbaya."}};
    CHECK(engine::check_reason(custom, texts, engine::Language::sw) == "Nambari mbaya.");
}

}  // namespace
}  // namespace hodi::test
