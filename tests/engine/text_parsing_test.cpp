// The engine's navigation agrees with vectors/ussd_text_parsing.json: replaying a case's tokens
// hop by hop lands where replaying its effective path (no navigation) lands.
#include "engine/step.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "tests/engine/fixtures.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {
namespace {

// Every menu takes 1/2/3; option 2 leads to a phone prompt, then an amount prompt. Menu "a" is
// long enough to page, so "98" turns a page there.
Menu parsing_menu() {
    Menu menu;
    menu.root = "root";
    const std::string filler(50, '.');
    add_menu(menu, "root", "Root", {{"1", "A", "a"}, {"2", "Send", "phone"}, {"3", "C", "c"}});
    add_menu(menu, "a", "A",
             {{"1", "X" + filler, "x"}, {"2", "Send" + filler, "phone"}, {"3", "C" + filler, "c"}});
    add_menu(menu, "x", "X", {{"1", "A", "a"}, {"2", "Send", "phone"}, {"3", "C", "c"}});
    add_menu(menu, "c", "C", {{"1", "A", "a"}, {"2", "Send", "phone"}, {"3", "C", "c"}});
    add_input(menu, "phone", "Phone?", check_of(CheckKind::phone), "to", "amount");
    add_input(menu, "amount", "Amount?", check_of(CheckKind::amount), "amount", "done");
    add_menu(menu, "done", "Done", {{"1", "A", "a"}, {"2", "Send", "phone"}, {"3", "C", "c"}});
    return menu;
}

Session replay(const Menu& menu, const boost::json::array& tokens) {
    Step current = engine::begin(
        menu, engine::new_session(menu, "s", "+254712345678", engine::Language::en, start_time),
        start_time);
    for (const auto& token : tokens) {
        REQUIRE_FALSE(current.screen.end);
        current = engine::step(menu, current.session, std::string(token.as_string()), start_time);
        REQUIRE_FALSE(current.action.has_value());
    }
    return current.session;
}

TEST_CASE("navigation tokens resolve to the effective paths of the text-parsing vectors") {
    // Goal: back/home/more agree with the reference algorithm. Method: for each case, replay
    // its tokens and its effective path; compare node, page and history, whose depth plus the
    // page must equal the effective path's length.
    const Menu menu = parsing_menu();
    const boost::json::value vector = load_vector("ussd_text_parsing.json");
    const auto& cases = vector.at("cases").as_array();
    REQUIRE(cases.size() >= 10);
    for (const auto& row : cases) {
        const auto& object = row.as_object();
        INFO("text '" << std::string(object.at("text").as_string()) << "'");
        const auto& tokens = object.at("tokens").as_array();
        const auto& path = object.at("effective_path").as_array();
        const Session walked = replay(menu, tokens);
        const Session direct = replay(menu, path);
        CHECK(walked.node_id == direct.node_id);
        CHECK(walked.page == direct.page);
        REQUIRE(walked.history.size() == direct.history.size());
        for (std::size_t index = 0; index < walked.history.size(); ++index) {
            CHECK(walked.history[index].node_id == direct.history[index].node_id);
            CHECK(walked.history[index].page == direct.history[index].page);
        }
        CHECK(walked.history.size() + walked.page == path.size());
        CHECK(walked.tries == 0);
    }
}

TEST_CASE("the last token of a text is the entry a hop applies") {
    // Goal: last_token of the vectors is what step() receives. Method: split on '*'.
    const boost::json::value vector = load_vector("ussd_text_parsing.json");
    for (const auto& row : vector.at("cases").as_array()) {
        const std::string text(row.at("text").as_string());
        const auto& last = row.at("last_token");
        const std::size_t star = text.rfind('*');
        const std::string token = star == std::string::npos ? text : text.substr(star + 1);
        if (last.is_null()) {
            CHECK(text.empty());
        } else {
            CHECK(token == last.as_string());
        }
    }
}

}  // namespace
}  // namespace hodi::test
