// A clean menu file compiles into the engine::Menu its author meant.
#include "menus/loader.hpp"

#include <doctest/doctest.h>

#include "tests/menus/menu_fixtures.hpp"

namespace {

using namespace hodi;

constexpr std::string_view clean_menu = R"(menu: bank
start: main
screen_chars: 150
input_tries: 2
session_timeout: 120
default_language: sw
navigation: {back: "0", home: "00", more: "99"}
texts:
  more: {en: Next, sw: Mbele}
nodes:
  main:
    kind: menu
    title: {en: "Welcome", sw: "Karibu"}
    options:
      - label: {en: Balance, sw: Salio}
        next: pin
      - label: {en: Save, sw: Weka akiba}
        next: amount
      - label: {en: Language, sw: Lugha}
        key: "7"
        next: lang
  pin:
    kind: input
    prompt: {en: "Enter PIN", sw: "Weka PIN"}
    check: pin
    save_as: pin
    next: balance
    navigation: false
  balance:
    kind: action
    action: balance
    args: {pin: "{pin}"}
    on: {ok: shown}
    otherwise: failed
  shown:
    kind: end
    text: {en: "Balance: KES {balance}", sw: "Salio: KES {balance}"}
  failed:
    kind: end
    text: {en: "Sorry.", sw: "Samahani."}
  amount:
    kind: input
    prompt: {en: "Amount", sw: "Kiasi"}
    check: {kind: amount, min: 10, max: 70000.50}
    save_as: amount
    next: deposit_pin
  deposit_pin:
    kind: input
    prompt: {en: "Save KES {amount}? PIN", sw: "Weka KES {amount}? PIN"}
    check: {kind: pin, length: 5}
    save_as: deposit_pin
    next: deposit
  deposit:
    kind: action
    irreversible: true
    action: savings.deposit
    args: {goal: "1", amount: "{amount}", source: wallet, pin: "{deposit_pin}"}
    otherwise: failed
  lang:
    kind: language
    title: {en: "Choose language", sw: "Chagua lugha"}
    next: main
)";

TEST_CASE("a clean menu file loads into the menu its author wrote") {
    // Goal: every construct compiles to the engine model. Method: load a file using each node
    // kind and check settings, option keys, checks, action args and branches, and texts.
    const menus::LoadResult result = test::load(clean_menu);
    REQUIRE_MESSAGE(result.ok(), menus::to_string(result.diagnostics));
    const engine::Menu& menu = *result.menu;
    CHECK(menu.name == "bank");
    CHECK(menu.root == "main");
    CHECK(menu.screen_chars == 150);
    CHECK(menu.input_tries == 2);
    CHECK(menu.session_timeout == std::chrono::seconds(120));
    CHECK(menu.default_language == engine::Language::sw);
    CHECK(menu.navigation.more == "99");
    CHECK(menu.texts.more.in(engine::Language::sw) == "Mbele");
    CHECK(menu.texts.back.in(engine::Language::en) == "Back");  // not overridden: default
    CHECK(menu.nodes.size() == 9);
    CHECK(menu.version.size() == 16);

    const auto& main = std::get<engine::MenuNode>(menu.at("main").body);
    CHECK(main.title.in(engine::Language::en) == "Welcome");
    REQUIRE(main.options.size() == 3);
    CHECK(main.options[0].key == "1");
    CHECK(main.options[1].key == "2");
    CHECK(main.options[2].key == "7");
    CHECK(main.options[1].label.in(engine::Language::sw) == "Weka akiba");
    CHECK(main.options[2].target == "lang");

    const auto& pin = std::get<engine::InputNode>(menu.at("pin").body);
    CHECK(pin.check.kind == engine::CheckKind::pin);
    CHECK(pin.check.pin_length == 4);
    CHECK_FALSE(pin.navigation);
    const auto& amount = std::get<engine::InputNode>(menu.at("amount").body);
    CHECK(amount.check.kind == engine::CheckKind::amount);
    CHECK(amount.check.min_cents == 1000);
    CHECK(amount.check.max_cents == 7000050);
    CHECK(amount.save_as == "amount");
    CHECK(std::get<engine::InputNode>(menu.at("deposit_pin").body).check.pin_length == 5);

    const engine::Node& deposit = menu.at("deposit");
    CHECK(deposit.irreversible);
    const auto& action = std::get<engine::ActionNode>(deposit.body);
    CHECK(action.action == "savings.deposit");
    CHECK(action.args.at("source") == "wallet");
    CHECK(action.args.at("pin") == "{deposit_pin}");
    CHECK(action.otherwise == "failed");
    CHECK(std::get<engine::ActionNode>(menu.at("balance").body).on.at("ok") == "shown");
    CHECK(std::get<engine::EndNode>(menu.at("shown").body).text.in(engine::Language::sw) ==
          "Salio: KES {balance}");
    CHECK(std::get<engine::LanguageNode>(menu.at("lang").body).target == "main");
}

TEST_CASE("a menu without settings takes the engine defaults and the file name") {
    // Goal: only start and nodes are required. Method: load a two-line menu, check defaults.
    const menus::LoadResult result = test::load(R"(start: bye
nodes:
  bye: {kind: end, text: {en: Bye, sw: Kwaheri}}
)");
    REQUIRE_MESSAGE(result.ok(), menus::to_string(result.diagnostics));
    CHECK(result.menu->name == "t");
    CHECK(result.menu->screen_chars == engine::screen_chars_max);
    CHECK(result.menu->navigation.back == "0");
    CHECK(result.menu->default_language == engine::Language::en);
}

TEST_CASE("the menu version changes with the file and only with it") {
    // Goal: sessions can tell menu versions apart. Method: load twice, then an edited copy.
    const auto first = test::load(clean_menu);
    const auto again = test::load(clean_menu);
    std::string edited(clean_menu);
    edited.replace(edited.find("Sorry."), 6, "Pole.");
    const auto changed = test::load(edited);
    REQUIRE(first.ok());
    REQUIRE(changed.ok());
    CHECK(first.menu->version == again.menu->version);
    CHECK(first.menu->version != changed.menu->version);
}

TEST_CASE("an unreadable menu file is one diagnostic naming the file") {
    // Goal: serve and lint explain a wrong path. Method: load a path that does not exist.
    const auto result = menus::load_menu_file("/nonexistent/menu.yaml", test::test_actions());
    REQUIRE(result.diagnostics.size() == 1);
    CHECK(menus::to_string(result.diagnostics[0]) ==
          "/nonexistent/menu.yaml: cannot read the menu file");
}

}  // namespace
