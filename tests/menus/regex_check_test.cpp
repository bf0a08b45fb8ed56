// A regex check written in YAML reaches the engine compiled, and each menu keeps its own.
#include "menus/loader.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "engine/checks.hpp"
#include "engine/step.hpp"
#include "tests/menus/menu_fixtures.hpp"

namespace {

using namespace hodi;

// A one-question menu whose node "code" checks the entry against `pattern`.
menus::LoadResult load_code_menu(std::string_view pattern) {
    std::string text = R"(start: code
nodes:
  code:
    kind: input
    prompt: {en: "Enter code", sw: "Weka nambari"}
    check: {kind: regex, pattern: "PATTERN", max_length: 8, error: {en: Bad code, sw: Mbaya}}
    save_as: code
    next: done
  done: {kind: end, text: {en: "Got {code}", sw: "Nimepata {code}"}}
)";
    text.replace(text.find("PATTERN"), 7, pattern);
    return test::load(text);
}

const engine::InputCheck& code_check(const engine::Menu& menu) {
    return std::get<engine::InputNode>(menu.at("code").body).check;
}

// One subscriber's first screen on `menu`.
engine::Step dial(const engine::Menu& menu) {
    const auto now = engine::TimePoint{} + std::chrono::hours(1);
    return engine::begin(
        menu, engine::new_session(menu, "ATUid_regex", "+254712345678", engine::Language::en, now),
        now);
}

engine::Step answer(const engine::Menu& menu, const engine::Step& previous,
                    std::string_view entry) {
    return engine::step(menu, previous.session, entry,
                        previous.session.last_seen + std::chrono::seconds(5));
}

TEST_CASE("a regex check loaded from YAML holds its compiled pattern and checks entries") {
    // Goal: the loader compiles the pattern into the check the engine uses. Method: load a
    // menu with a regex check, match entries directly, then walk it hop by hop.
    const menus::LoadResult result = load_code_menu("[A-Z]{2}[0-9]{3}");
    REQUIRE_MESSAGE(result.ok(), menus::to_string(result.diagnostics));
    const engine::InputCheck& check = code_check(*result.menu);
    CHECK(check.kind == engine::CheckKind::regex);
    REQUIRE(check.pattern);
    CHECK(check.pattern->text() == "[A-Z]{2}[0-9]{3}");
    CHECK(check.max_length == 8);
    CHECK(engine::check_entry(check, "AB123"));
    CHECK_FALSE(engine::check_entry(check, "AB1234"));
    CHECK_FALSE(engine::check_entry(check, "xAB123"));

    const engine::Step first = dial(*result.menu);
    const engine::Step refused = answer(*result.menu, first, "ab123");
    CHECK(refused.screen.text.starts_with("Bad code\nEnter code"));
    const engine::Step accepted = answer(*result.menu, refused, "AB123");
    CHECK(accepted.screen.end);
    CHECK(accepted.screen.text == "Got AB123");
}

TEST_CASE("two loaded menus with different patterns at the same node each keep their own") {
    // Goal: nothing is shared between menus, so a reload with a new pattern never sees the
    // old one. Method: two menus differ only in the pattern of node "code"; two subscribers,
    // one per menu, type each other's code, then their own, hop for hop in turn.
    const menus::LoadResult letters = load_code_menu("[A-Z]{5}");
    const menus::LoadResult digits = load_code_menu("[0-9]{5}");
    REQUIRE(letters.ok());
    REQUIRE(digits.ok());
    CHECK(letters.menu->version != digits.menu->version);
    engine::Step on_letters = dial(*letters.menu);
    engine::Step on_digits = dial(*digits.menu);
    on_letters = answer(*letters.menu, on_letters, "12345");
    on_digits = answer(*digits.menu, on_digits, "ABCDE");
    CHECK(on_letters.screen.text.starts_with("Bad code"));
    CHECK(on_digits.screen.text.starts_with("Bad code"));
    on_letters = answer(*letters.menu, on_letters, "ABCDE");
    on_digits = answer(*digits.menu, on_digits, "12345");
    CHECK(on_letters.screen.text == "Got ABCDE");
    CHECK(on_digits.screen.text == "Got 12345");
}

}  // namespace
