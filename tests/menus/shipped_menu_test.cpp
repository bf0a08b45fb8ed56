// The shipped menu lints clean against the real action catalogue, and `hodi graph` output
// shows its screens and links.
#include "menus/loader.hpp"

#include <doctest/doctest.h>

#include <set>

#include "menus/graph.hpp"
#include "storage/action_catalogue.hpp"
#include "tests/menus/menu_fixtures.hpp"
#include "tests/support/vectors.hpp"

namespace {

using namespace hodi;

menus::LoadResult load_shipped() {
    return menus::load_menu_file(test::source_dir() / "menus" / "hodi.yaml",
                                 storage::builtin_action_specs());
}

TEST_CASE("the shipped menu lints clean against the action catalogue") {
    // Goal: what hodi serves by default is never broken. Method: load menus/hodi.yaml with
    // the catalogue and require zero diagnostics.
    const menus::LoadResult result = load_shipped();
    CHECK_MESSAGE(result.ok(), menus::to_string(result.diagnostics));
    REQUIRE(result.ok());
    CHECK(result.menu->name == "hodi");
    CHECK(result.menu->root == "lookup");
    CHECK(result.menu->screen_chars == 160);
}

TEST_CASE("the shipped menu calls every catalogued action") {
    // Goal: every product feature is reachable by USSD. Method: collect the action names of
    // all action nodes and compare with the catalogue.
    const menus::LoadResult result = load_shipped();
    REQUIRE(result.ok());
    std::set<std::string> used;
    for (const auto& [id, node] : result.menu->nodes) {
        if (const auto* action = std::get_if<engine::ActionNode>(&node.body)) {
            used.insert(action->action);
        }
    }
    for (const engine::ActionSpec& spec : storage::builtin_action_specs()) {
        CHECK_MESSAGE(used.contains(spec.name), spec.name);
    }
}

TEST_CASE("the shipped menu asks a registered subscriber's PIN once per session") {
    // Goal: the PIN is typed as the session starts and again only to change it; every private
    // screen and money move is passed the session's proof. Method: every action node taking
    // `verified` passes `{pin_verified}`, and only the login and the PIN change take a PIN.
    const menus::LoadResult result = load_shipped();
    REQUIRE(result.ok());
    std::set<std::string> typing_pin;
    std::set<std::string> unproven;
    for (const auto& [id, node] : result.menu->nodes) {
        const auto* action = std::get_if<engine::ActionNode>(&node.body);
        if (action == nullptr) continue;
        const engine::ActionSpec* spec = storage::find_action_spec(action->action);
        REQUIRE(spec != nullptr);
        for (const engine::ActionParam& param : spec->params) {
            if (param.name != "verified") continue;
            if (!action->args.contains("verified")) {
                unproven.insert(id);
            } else {
                CHECK_MESSAGE(action->args.at("verified") == "{pin_verified}", id);
            }
        }
        if (action->args.contains("pin") && action->action != "pin.register") {
            typing_pin.insert(id);
        }
    }
    CHECK(typing_pin == std::set<std::string>{"login", "change_verify"});
    // A new caller's language, saved by the registration, not by language.set.
    CHECK(unproven == std::set<std::string>{"first_language_save"});
    CHECK(std::get<engine::ActionNode>(result.menu->at("lookup").body).on.at("registered") ==
          "session_pin");
    CHECK(std::get<engine::ActionNode>(result.menu->at("session_pin").body).on.at("ask") ==
          "login_pin");
}

TEST_CASE("money-moving steps of the shipped menu cannot be undone with back") {
    // Goal: back never re-runs a payment. Method: every action node whose action takes a PIN
    // or moves money is marked irreversible.
    const menus::LoadResult result = load_shipped();
    REQUIRE(result.ok());
    const std::set<std::string> moving{"savings.deposit", "savings.withdraw", "loan.apply",
                                       "loan.repay",      "wallet.topup",     "pin.change",
                                       "pin.register"};
    for (const auto& [id, node] : result.menu->nodes) {
        const auto* action = std::get_if<engine::ActionNode>(&node.body);
        if (action != nullptr && moving.contains(action->action)) {
            CHECK_MESSAGE(node.irreversible, id);
        }
    }
}

TEST_CASE("a folded YAML text joins its lines with spaces") {
    // Goal: authors may wrap long texts with `>-`. Method: read the folded help text.
    const menus::LoadResult result = load_shipped();
    REQUIRE(result.ok());
    const auto& help = std::get<engine::EndNode>(result.menu->at("help").body);
    CHECK(help.text.in(engine::Language::en) ==
          "hodi: save, borrow and pay from any phone. Help: call 0800 000 000 (free) or SMS "
          "HELP to 40400.");
}

TEST_CASE("the graph shows option keys and action outcomes as labelled edges") {
    // Goal: `hodi graph` is useful to authors. Method: render the shipped menu as DOT and as
    // text and look for known edges and the start node's marking.
    const menus::LoadResult result = load_shipped();
    REQUIRE(result.ok());
    const std::string dot = menus::graph_dot(*result.menu);
    CHECK(dot.starts_with("digraph \"hodi\" {"));
    CHECK(dot.find("\"main\" -> \"wallet\" [label=\"1\"];") != std::string::npos);
    CHECK(dot.find("\"lookup\" -> \"first_language\" [label=\"unregistered\"];") !=
          std::string::npos);
    CHECK(dot.find("\"balance\" -> \"failed\" [label=\"otherwise\"];") != std::string::npos);
    CHECK(dot.find("\"lookup\" [shape=ellipse, label=\"lookup\\naction: user.lookup\", "
                   "peripheries=2];") != std::string::npos);
    CHECK(dot.ends_with("}\n"));
    const std::string text = menus::graph_text(*result.menu);
    CHECK(text.starts_with("lookup [action] user.lookup\n  registered -> session_pin\n"));
    CHECK(text.find("deposit_wallet [action, irreversible] savings.deposit\n") !=
          std::string::npos);
}

TEST_CASE("the graph lists nodes in the order a subscriber meets them") {
    // Goal: a readable graph. Method: a small menu; breadth-first order from the start.
    const menus::LoadResult result = test::load(R"(start: main
nodes:
  bye: {kind: end, text: {en: Bye, sw: Kwaheri}}
  main:
    kind: menu
    title: {en: Hi, sw: Habari}
    options:
      - {label: {en: Ask, sw: Uliza}, next: ask}
      - {label: {en: Bye, sw: Kwaheri}, key: "9", next: bye}
  ask: {kind: input, prompt: {en: Name, sw: Jina}, save_as: name, next: bye}
)");
    REQUIRE(result.ok());
    CHECK(menus::graph_text(*result.menu) ==
          "main [menu] Hi\n  1 -> ask\n  9 -> bye\n"
          "ask [input] Name\n  entry -> bye\n"
          "bye [end] Bye\n");
}

}  // namespace
