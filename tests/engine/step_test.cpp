// The session engine hop by hop: node kinds, checks, templates, retries, expiry, PIN hygiene.
#include "engine/step.hpp"

#include <doctest/doctest.h>

#include "engine/render.hpp"
#include "tests/engine/fixtures.hpp"

namespace hodi::test {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

TEST_CASE("dialling shows the root menu with numbered options and no navigation footer") {
    // Goal: the first screen is the root as authored. Method: begin() a fresh session.
    const Menu menu = bank_menu();
    Phone phone(menu);
    const Screen& screen = phone.dial();
    CHECK_FALSE(screen.end);
    CHECK(screen.text.starts_with("Welcome to Hodi\n1. Balance\n2. Send money\n"));
    CHECK_FALSE(contains(screen.text, "0:Back"));
    CHECK_FALSE(contains(screen.text, "00:Home"));
    CHECK(phone.session().node_id == "root");
    CHECK(phone.session().hops == 1);
    CHECK(phone.session().menu_version == "v1");
}

TEST_CASE("choosing an option enters its target and pushes the menu as a back frame") {
    // Goal: menu choice semantics. Method: choose 6 and inspect the session.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    const Screen& screen = phone.send("6");
    CHECK(screen.text == "Your name?\n0:Back 00:Home");
    REQUIRE(phone.session().history.size() == 1);
    CHECK(phone.session().history[0].node_id == "root");
    CHECK(phone.session().node_id == "name");
}

TEST_CASE("an action node asks the caller and resume() follows the outcome's branch") {
    // Goal: actions are requested, not run. Method: choose Balance and check the request and
    // the screen built from the action's outputs.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    const Screen& screen = phone.send("1");
    REQUIRE(phone.actions.requests.size() == 1);
    CHECK(phone.actions.requests[0].name == "wallet.balance");
    CHECK(phone.actions.requests[0].args.at("phone") == owner_phone);
    CHECK(screen.text.starts_with("Balance: KES 1,234.50\n1. Done"));
    CHECK(phone.session().variables.at("balance") == "1,234.50");
}

TEST_CASE("step() returns the action request itself before resume() is called") {
    // Goal: the contract of Step.action. Method: call step() directly without a runner.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    const Step asked = engine::step(menu, phone.session(), "1", start_time + 1s);
    REQUIRE(asked.action.has_value());
    CHECK(asked.session.node_id == "balance");
    const Step shown = engine::resume(menu, asked.session, ActionResult{}, start_time + 2s);
    CHECK_FALSE(shown.action.has_value());
    CHECK(shown.session.node_id == "show_balance");
}

TEST_CASE("an outcome without a branch goes to otherwise, else ends with the service error") {
    // Goal: branch fallbacks. Method: one action with otherwise, one without, unknown outcome.
    Menu menu;
    menu.root = "root";
    add_menu(menu, "root", "Root", {{"1", "A", "a"}, {"2", "B", "b"}});
    add_action(menu, "a", "x.a", {}, {{"ok", "done"}}, "fallback");
    add_action(menu, "b", "x.b", {}, {{"ok", "done"}});
    add_end(menu, "done", "Done.");
    add_end(menu, "fallback", "Fallback.");
    Phone first(menu);
    first.actions.outcome = "weird";
    first.dial();
    CHECK(first.send("1").text == "Fallback.");
    Phone second(menu);
    second.actions.outcome = "weird";
    second.dial();
    const Screen& screen = second.send("2");
    CHECK(screen.end);
    CHECK(screen.text == menu.texts.service_error.in(engine::Language::en));
}

TEST_CASE("an action may lead to another action within one hop") {
    // Goal: chains are fine. Method: a -> b -> end, both requested in order.
    Menu menu;
    menu.root = "root";
    add_menu(menu, "root", "Root", {{"1", "Go", "a"}});
    add_action(menu, "a", "x.first", {}, {{"ok", "b"}});
    add_action(menu, "b", "x.second", {{"seen", "{first_out}"}}, {{"ok", "done"}});
    add_end(menu, "done", "Got {first_out}.");
    Phone phone(menu);
    phone.actions.outputs = {{"first_out", "42"}};
    phone.dial();
    CHECK(phone.send("1").text == "Got 42.");
    REQUIRE(phone.actions.requests.size() == 2);
    CHECK(phone.actions.requests[1].name == "x.second");
    CHECK(phone.actions.requests[1].args.at("seen") == "42");
}

TEST_CASE("an action loop is cut off with the service error instead of spinning") {
    // Goal: bounded chains. Method: an action whose ok branch is itself.
    Menu menu;
    menu.root = "root";
    add_menu(menu, "root", "Root", {{"1", "Go", "a"}});
    add_action(menu, "a", "x.loop", {}, {{"ok", "a"}});
    Step current = engine::begin(
        menu, engine::new_session(menu, "s", "+254712345678", engine::Language::en, start_time),
        start_time);
    current = engine::step(menu, current.session, "1", start_time + 1s);
    std::size_t actions = 0;
    while (current.action) {
        ++actions;
        REQUIRE(actions <= engine::action_chain_max);
        current = engine::resume(menu, current.session, ActionResult{}, start_time + 1s);
    }
    CHECK(actions == engine::action_chain_max);
    CHECK(current.screen.end);
    CHECK(current.screen.text == menu.texts.service_error.in(engine::Language::en));
}

TEST_CASE("an end node closes the session with its text") {
    // Goal: END screens. Method: Balance -> Done -> bye.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("1");
    const Screen& screen = phone.send("1");
    CHECK(screen.end);
    CHECK(screen.text == "Thank you.");
}

TEST_CASE("the language picker lists English and Kiswahili and the choice holds") {
    // Goal: language node. Method: pick 2, then walk on and see Swahili texts everywhere.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    const Screen& picker = phone.send("3");
    CHECK(picker.text == "Choose language\n1. English\n2. Kiswahili\n0:Back 00:Home");
    const Screen& root = phone.send("2");
    CHECK(phone.session().language == engine::Language::sw);
    CHECK(root.text.starts_with("SW Welcome to Hodi\n1. SW Balance"));
    const Screen& name = phone.send("6");
    CHECK(name.text == "SW Your name?\n0:Rudi 00:Menu Kuu");
    phone.send("00");
    CHECK(phone.session().language == engine::Language::sw);
    CHECK(phone.send("9").text.starts_with("Chaguo si sahihi."));
}

TEST_CASE("a picker entry outside the list is an invalid choice") {
    // Goal: only listed languages. Method: send 3 at the picker.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("3");
    CHECK(phone.send("3").text.starts_with("Invalid choice.\nChoose language"));
    CHECK(phone.session().language == engine::Language::en);
}

TEST_CASE("an invalid choice re-shows the menu with the reason once") {
    // Goal: reasons are one-off notices. Method: a bad key, then a valid screen.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    const Screen& bad = phone.send("9");
    CHECK(bad.text.starts_with("Invalid choice.\nWelcome to Hodi\n1. Balance"));
    CHECK(phone.session().tries == 1);
    CHECK(phone.session().notice.empty());
    const Screen& next = phone.send("6");
    CHECK_FALSE(contains(next.text, "Invalid"));
    CHECK(phone.session().tries == 0);
}

TEST_CASE("too many invalid entries end the session politely") {
    // Goal: retries are bounded by menu.input_tries. Method: three bad keys.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    CHECK_FALSE(phone.send("x").end);
    CHECK_FALSE(phone.send("y").end);
    const Screen& last = phone.send("z");
    CHECK(last.end);
    CHECK(last.text == menu.texts.too_many_tries.in(engine::Language::en));
}

TEST_CASE("a valid entry resets the count of invalid tries") {
    // Goal: tries count per screen. Method: bad, bad, good, bad, bad: still alive.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("x");
    phone.send("y");
    phone.send("6");
    CHECK(phone.session().tries == 0);
    phone.send("");
    CHECK_FALSE(phone.send("").end);
}

TEST_CASE("surrounding spaces of an entry are ignored") {
    // Goal: trimming. Method: " 6 " chooses option 6.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("  6 ");
    CHECK(phone.session().node_id == "name");
}

TEST_CASE("an entry longer than input_chars_max is refused") {
    // Goal: the entry cap. Method: 65 characters at a free-text prompt.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("6");
    const Screen& screen = phone.send(std::string(engine::input_chars_max + 1, 'a'));
    CHECK(screen.text.starts_with("Invalid entry."));
    CHECK(phone.session().node_id == "name");
    phone.send(std::string(engine::input_chars_max, 'a'));
    CHECK(phone.session().node_id == "greet");
}

TEST_CASE("templates render variables, the owner's phone in display form, unknowns as empty") {
    // Goal: template expansion on screens. Method: greeting with a name and {phone}.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("6");
    const Screen& screen = phone.send("Wanjiru");
    CHECK(screen.text.starts_with("Hello Wanjiru, phone 0712345678\n1. OK"));
    CHECK(phone.session().variables.at("name") == "Wanjiru");
}

TEST_CASE("variables shown on screens are made GSM-7 safe") {
    // Goal: outside text never breaks a handset. Method: an action output with smart quotes.
    const Menu menu = bank_menu();
    Phone phone(menu);
    // “5’000—😀
    phone.actions.outputs = {
        {"balance", "\xE2\x80\x9C" "5\xE2\x80\x99" "000\xE2\x80\x94\xF0\x9F\x98\x80"}};
    phone.dial();
    CHECK(phone.send("1").text.starts_with("Balance: KES \"5'000-?\n"));
}

TEST_CASE("send money stores E.164 phone, normalised amount, and passes the PIN once") {
    // Goal: phone, amount and pin checks with what they store. Method: the send flow.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("2");
    phone.send("0722 000 111");
    CHECK(phone.session().variables.at("recipient") == "+254722000111");
    phone.send("1,500.5");
    CHECK(phone.session().variables.at("amount") == "1500.50");
    CHECK(phone.session().variables.at("amount_cents") == "150050");
    CHECK(phone.screen().text == "Send KES 1500.50 to +254722000111? Enter PIN ****");
    const Screen& sent = phone.send("4821");
    REQUIRE(phone.actions.requests.size() == 1);
    const ActionRequest& request = phone.actions.requests[0];
    CHECK(request.args.at("pin") == "4821");
    CHECK(request.args.at("amount") == "150050");
    CHECK(request.args.at("to") == "+254722000111");
    CHECK(phone.session().secrets.empty());
    CHECK(sent.text.starts_with("Sent KES 1500.50 to +254722000111"));
}

TEST_CASE("a PIN never appears in variables, history, screens or notices") {
    // Goal: PIN hygiene end to end. Method: enter a bad PIN and a good one, inspect everything.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("2");
    phone.send("0722000111");
    phone.send("200");
    const Screen& bad = phone.send("98765");
    CHECK(bad.text.starts_with("Invalid PIN format."));
    CHECK_FALSE(contains(bad.text, "98765"));
    const Step pending = engine::step(menu, phone.session(), "5813", start_time + 1min);
    REQUIRE(pending.action.has_value());
    CHECK(pending.action->args.at("pin") == "5813");
    const Session& session = pending.session;
    CHECK(session.secrets.empty());
    for (const auto& [name, value] : session.variables) CHECK_FALSE(contains(value, "5813"));
    for (const auto& frame : session.history) CHECK_FALSE(contains(frame.node_id, "5813"));
    CHECK_FALSE(contains(session.notice, "5813"));
    const Step shown = engine::resume(menu, session, ActionResult{}, start_time + 1min);
    CHECK_FALSE(contains(shown.screen.text, "5813"));
    CHECK_FALSE(contains(shown.session.last_reply.screen, "5813"));
}

TEST_CASE("amount checks refuse out-of-range and malformed amounts with the amount reason") {
    // Goal: amount bounds. Method: below min, above max, bad commas, then a good one.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("2");
    phone.send("0722000111");
    CHECK(phone.send("5").text.starts_with("Invalid amount."));
    CHECK(phone.send("70,000.01").text.starts_with("Invalid amount."));
    phone.send("70,000");
    CHECK(phone.session().variables.at("amount") == "70000");
}

TEST_CASE("a regex check uses its own error text and needs a whole match") {
    // Goal: regex checks. Method: a partial match is refused with the custom reason.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("7");
    CHECK(phone.send("AB1234").text.starts_with("Code looks like AB123.\nEnter code"));
    CHECK(phone.send("AB123").end);
    CHECK(phone.session().variables.at("code") == "AB123");
}

TEST_CASE("two menus with different patterns at the same node each check with their own") {
    // Goal: the engine keeps no state between menus. Method: a second menu whose node "code"
    // wants digits instead; two subscribers, one per menu, type each other's code in turn.
    const Menu letters = bank_menu();
    Menu digits = bank_menu();
    auto& input = std::get<InputNode>(digits.nodes.at("code").body);
    input.check = InputCheck::matching("[0-9]{5}");
    Phone on_letters(letters);
    Phone on_digits(digits);
    on_letters.dial();
    on_digits.dial();
    on_letters.send("7");
    on_digits.send("7");
    CHECK(on_letters.send("12345").text.starts_with("Code looks like AB123."));
    CHECK(on_digits.send("AB123").text.starts_with("Invalid entry."));
    CHECK(on_letters.send("AB123").end);
    CHECK(on_digits.send("12345").end);
    CHECK(on_digits.session().variables.at("code") == "12345");
}

}  // namespace
}  // namespace hodi::test

namespace hodi::test {
namespace {

TEST_CASE("an action output named language switches the session to the saved language") {
    // Goal: a returning subscriber is greeted in the language they chose before. Method: the
    // balance action answers language=sw; the next screens are Swahili and the output is not
    // kept as a variable. An unknown code changes nothing.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.actions.outputs = {{"balance", "10"}, {"language", "sw"}};
    phone.dial();
    phone.send("1");
    CHECK(phone.session().language == engine::Language::sw);
    CHECK(phone.session().variables.count("language") == 0);

    Phone other(menu);
    other.actions.outputs = {{"balance", "10"}, {"language", "fr"}};
    other.dial();
    other.send("1");
    CHECK(other.session().language == engine::Language::en);
}

}  // namespace
}  // namespace hodi::test
