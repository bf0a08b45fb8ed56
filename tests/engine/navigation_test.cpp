// Back, home and more: the navigation keys, the history stack, its floor and its depth.
#include "engine/step.hpp"

#include <doctest/doctest.h>

#include "engine/gsm7.hpp"
#include "engine/render.hpp"
#include "tests/engine/fixtures.hpp"

namespace hodi::test {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

TEST_CASE("back returns to the previous menu and home clears the history") {
    // Goal: 0 and 00. Method: root -> name, back; root -> name, home.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("6");
    CHECK(phone.send("0").text.starts_with("Welcome to Hodi"));
    CHECK(phone.session().history.empty());
    phone.send("6");
    CHECK(phone.send("00").text.starts_with("Welcome to Hodi"));
    CHECK(phone.session().history.empty());
    CHECK(phone.session().node_id == "root");
}

TEST_CASE("back at the root page 0 re-shows the root") {
    // Goal: back is a no-op at the root. Method: send 0 on the first screen.
    const Menu menu = bank_menu();
    Phone phone(menu);
    const std::string root = phone.dial().text;
    CHECK(phone.send("0").text == root);
    CHECK(phone.session().tries == 0);
}

TEST_CASE("back never re-runs an action: it returns to the screen before it") {
    // Goal: frames are screens only. Method: Balance (action) -> show_balance, then back.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("1");
    REQUIRE(phone.actions.requests.size() == 1);
    phone.send("0");
    CHECK(phone.session().node_id == "root");
    CHECK(phone.actions.requests.size() == 1);
}

TEST_CASE("a long menu pages with stable option numbers and More") {
    // Goal: paging keeps keys. Method: 12 long options, walk every page with 98.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    const Screen& first = phone.send("4");
    CHECK(first.text.starts_with("Pick a goal\n1. Savings goal number 1 details\n"));
    CHECK(contains(first.text, "98:More"));
    CHECK(first.text.ends_with("0:Back 00:Home 98:More"));
    std::vector<std::string> pages{first.text};
    while (contains(phone.screen().text, "98:More")) {
        REQUIRE(pages.size() < 10);
        pages.push_back(phone.send("98").text);
        CHECK(phone.session().page == pages.size() - 1);
        CHECK(pages.back().starts_with("Pick a goal\n"));
    }
    CHECK(pages.size() >= 3);
    std::string all;
    for (const std::string& page : pages) {
        CHECK(engine::gsm7_length(page) <= menu.screen_chars);
        all += page;
    }
    for (int key = 1; key <= 12; ++key) {
        const std::string line = std::to_string(key) + ". Savings goal number " +
                                 std::to_string(key) + " details";
        CHECK(contains(all, line));
    }
    CHECK(phone.send("98").text.starts_with("Invalid choice.\nPick a goal"));
}

TEST_CASE("an option on another page can be chosen by its key") {
    // Goal: keys are the node's, not the page's. Method: on page 0 choose the last option.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("4");
    CHECK_FALSE(contains(phone.screen().text, "12. "));
    CHECK(phone.send("12").end);
}

TEST_CASE("back from page 2 goes to page 1, then to page 0, then to the previous menu") {
    // Goal: back walks pages before frames. Method: two Mores, three Backs.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    const std::string page0 = phone.send("4").text;
    const std::string page1 = phone.send("98").text;
    phone.send("98");
    REQUIRE(phone.session().page == 2);
    CHECK(phone.send("0").text == page1);
    CHECK(phone.session().page == 1);
    CHECK(phone.send("0").text == page0);
    CHECK(phone.send("0").text.starts_with("Welcome to Hodi"));
}

TEST_CASE("back re-shows a menu at the page it was left from") {
    // Goal: frames remember pages. Method: choose from page 1 of root-like long menu, back.
    Menu menu;
    menu.root = "root";
    std::vector<OptionSpec> options;
    for (int index = 1; index <= 9; ++index) {
        options.push_back({std::to_string(index),
                           "A rather long option label number " + std::to_string(index), "leaf"});
    }
    add_menu(menu, "root", "Root", options);
    add_input(menu, "leaf", "Type something", check_of(CheckKind::any), "x", "root");
    Phone phone(menu);
    phone.dial();
    const std::string page1 = phone.send("98").text;
    phone.send("9");
    REQUIRE(phone.session().history.back().page == 1);
    CHECK(phone.send("0").text == page1);
    CHECK(phone.session().page == 1);
}

TEST_CASE("an irreversible action stops back and says so, while home still works") {
    // Goal: the history floor. Method: send money, then back twice, then home.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("2");
    phone.send("0722000111");
    phone.send("200");
    const Screen& sent = phone.send("1234");
    CHECK(sent.text.starts_with("Sent KES 200 to +254722000111"));
    CHECK(phone.session().history_floor == phone.session().history.size());
    CHECK_FALSE(contains(sent.text, "0:Back"));
    CHECK(contains(sent.text, "00:Home"));
    const Screen& refused = phone.send("0");
    CHECK(refused.text.starts_with("This step cannot be undone.\nSent KES 200"));
    CHECK(phone.session().node_id == "sent");
    CHECK(phone.send("00").text.starts_with("Welcome to Hodi"));
    CHECK(phone.session().history_floor == 0);
}

TEST_CASE("an irreversible input, once accepted, cannot be returned to") {
    // Goal: the floor after an input. Method: root -> confirm (irreversible input) -> next.
    Menu menu;
    menu.root = "root";
    add_menu(menu, "root", "Root", {{"1", "Go", "confirm"}});
    add_input(menu, "confirm", "Type YES", check_of(CheckKind::any), "answer", "next", true, true);
    add_menu(menu, "next", "Next", {{"1", "More", "last"}});
    add_menu(menu, "last", "Last", {{"1", "Again", "root"}});
    Phone phone(menu);
    phone.dial();
    phone.send("1");
    phone.send("YES");
    CHECK(phone.session().history_floor == 2);
    phone.send("1");
    CHECK(phone.send("0").text.starts_with("Next"));
    CHECK(phone.send("0").text.starts_with("This step cannot be undone.\nNext"));
}

TEST_CASE("on an input with navigation off, 0 and 00 are ordinary entries") {
    // Goal: navigation=false. Method: the PIN prompt takes "0000"; a digits prompt takes "0".
    Menu menu;
    menu.root = "root";
    add_menu(menu, "root", "Root", {{"1", "Go", "count"}});
    InputCheck digits = check_of(CheckKind::digits);
    add_input(menu, "count", "How many?", digits, "count", "done", false);
    add_end(menu, "done", "You said {count}.");
    Phone phone(menu);
    phone.dial();
    CHECK(phone.send("1").text == "How many?");
    CHECK(phone.send("0").text == "You said 0.");
    Phone other(menu);
    other.dial();
    other.send("1");
    CHECK(other.send("00").text == "You said 00.");
}

TEST_CASE("a long END text pages as CON screens with More and ends on its last page") {
    // Goal: paged END. Method: Terms, More until END.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    const Screen& first = phone.send("5");
    CHECK_FALSE(first.end);
    CHECK(first.text.starts_with("Terms apply to word0"));
    CHECK(contains(first.text, "98:More"));
    std::size_t pages = 1;
    while (!phone.screen().end) {
        REQUIRE(pages < 20);
        const Screen& next = phone.send("98");
        ++pages;
        CHECK(engine::gsm7_length(next.text) <= menu.screen_chars);
    }
    CHECK(pages >= 3);
    CHECK(phone.screen().text.ends_with("word39"));
    CHECK_FALSE(contains(phone.screen().text, "98:More"));
}

TEST_CASE("back on a paged END text returns to the previous page") {
    // Goal: paged text screens take navigation keys. Method: More, Back, invalid key.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    const std::string first = phone.send("5").text;
    phone.send("98");
    CHECK(phone.send("0").text == first);
    CHECK(phone.send("7").text.starts_with("Invalid choice."));
}

TEST_CASE("the history is bounded and the floor stays on the same frames") {
    // Goal: history_depth_max. Method: a loop of menus walked far deeper than the cap.
    Menu menu;
    menu.root = "root";
    add_menu(menu, "root", "Root", {{"1", "Go", "a"}});
    add_menu(menu, "a", "A", {{"1", "B", "b"}}, true);
    add_menu(menu, "b", "B", {{"1", "A", "c"}});
    add_menu(menu, "c", "C", {{"1", "B", "b"}});
    Phone phone(menu);
    phone.dial();
    phone.send("1");
    phone.send("1");
    REQUIRE(phone.session().history_floor == 2);
    for (std::size_t hop = 0; hop < engine::history_depth_max * 3; ++hop) phone.send("1");
    CHECK(phone.session().history.size() == engine::history_depth_max);
    CHECK(phone.session().history_floor >= 1);
    for (std::size_t hop = 0; hop < engine::history_depth_max * 2; ++hop) phone.send("0");
    CHECK(phone.screen().text.starts_with("This step cannot be undone."));
    CHECK(phone.session().history.size() == phone.session().history_floor);
}

TEST_CASE("navigation keys are configurable per menu") {
    // Goal: NavigationKeys. Method: Sarafu-style 22 back, 11 more, 99 home.
    Menu menu = bank_menu();
    menu.navigation = engine::NavigationKeys{"22", "99", "11"};
    Phone phone(menu);
    phone.dial();
    const Screen& list = phone.send("4");
    CHECK(list.text.ends_with("22:Back 99:Home 11:More"));
    CHECK(phone.send("11").text.starts_with("Pick a goal"));
    CHECK(phone.session().page == 1);
    phone.send("22");
    CHECK(phone.session().page == 0);
    phone.send("99");
    CHECK(phone.session().node_id == "root");
}

}  // namespace
}  // namespace hodi::test
