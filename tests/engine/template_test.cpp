// `{name}` expansion for screens and for action arguments.
#include "engine/template.hpp"

#include <doctest/doctest.h>

namespace hodi::test {
namespace {

engine::Session sample_session() {
    engine::Session session;
    session.phone = "+254712345678";
    session.variables = {{"name", "Amina"},
                         {"phone", "+254799999999"},
                         {"quote", "\xE2\x80\x9Chi\xE2\x80\x9D"}};
    session.secrets = {{"pin", "4321"}, {"new_pin", "8765"}};
    return session;
}

TEST_CASE("screen templates expand variables, mask secrets and drop unknown names") {
    // Goal: expand_for_screen. Method: each kind of name in one text.
    const engine::Session session = sample_session();
    CHECK(engine::expand_for_screen("Hi {name}, PIN {pin}/{new_pin}, {nope}!", session) ==
          "Hi Amina, PIN ****/****, !");
    CHECK(engine::expand_for_screen("{quote}", session) == "\"hi\"");
}

TEST_CASE("the built-in phone is the owner's, in display form, whatever the variables say") {
    // Goal: {phone} cannot be spoofed by an entry. Method: a variable named phone exists.
    CHECK(engine::expand_for_screen("Tel {phone}", sample_session()) == "Tel 0712345678");
    CHECK(engine::expand_for_action("{phone}", sample_session()) == "+254712345678");
}

TEST_CASE("a pin template is masked on screens even before a PIN is entered") {
    // Goal: {pin} never shows digits. Method: a session without secrets.
    engine::Session session;
    CHECK(engine::expand_for_screen("PIN {pin}", session) == "PIN ****");
    CHECK(engine::expand_for_action("{pin}", session).empty());
}

TEST_CASE("action templates pass secrets and raw values") {
    // Goal: expand_for_action. Method: a PIN and a variable with typographic quotes.
    const engine::Session session = sample_session();
    CHECK(engine::expand_for_action("{pin}", session) == "4321");
    CHECK(engine::expand_for_action("{quote}", session) == "\xE2\x80\x9Chi\xE2\x80\x9D");
}

TEST_CASE("braces that are not templates are left as written") {
    // Goal: stray braces survive. Method: empty, unclosed, spaced and nested braces.
    const engine::Session session = sample_session();
    CHECK(engine::expand_for_screen("{} {a b} {name", session) == "{} {a b} {name");
    CHECK(engine::expand_for_screen("{{name}}", session) == "{Amina}");
    CHECK(engine::expand_for_screen("no templates", session) == "no templates");
}

}  // namespace
}  // namespace hodi::test

namespace hodi::test {
namespace {

TEST_CASE("the built-in language is the session's language code") {
    // Goal: a menu can pass the chosen language to an action. Method: expand in both languages.
    engine::Session session = sample_session();
    CHECK(engine::expand_for_action("{language}", session) == "en");
    session.language = engine::Language::sw;
    CHECK(engine::expand_for_action("{language}", session) == "sw");
    CHECK(engine::expand_for_screen("[{language}]", session) == "[sw]");
}

}  // namespace
}  // namespace hodi::test
