// Screens: footers, budgets, paging of lists and texts, notices, and the hard maximum.
#include "engine/render.hpp"

#include <doctest/doctest.h>

#include "engine/gsm7.hpp"
#include "tests/engine/fixtures.hpp"

namespace hodi::test {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

Session session_at(const Menu& menu, std::string node_id, std::uint16_t page = 0) {
    Session session =
        engine::new_session(menu, "s", std::string(owner_phone), engine::Language::en, start_time);
    session.node_id = std::move(node_id);
    session.page = page;
    return session;
}

TEST_CASE("the budget is the menu's screen_chars, never above the hard maximum") {
    // Goal: page_budget. Method: default, smaller, and an over-large setting.
    Menu menu;
    CHECK(engine::page_budget(menu) == engine::screen_chars_max);
    menu.screen_chars = 120;
    CHECK(engine::page_budget(menu) == 120);
    menu.screen_chars = 400;
    CHECK(engine::page_budget(menu) == engine::screen_chars_hard_max);
}

TEST_CASE("the footer shows Back and Home off the root, localised") {
    // Goal: footer keys and labels. Method: a non-root menu with a frame, in both languages.
    const Menu menu = bank_menu();
    Session session = session_at(menu, "greet");
    session.history.push_back({"root", 0});
    CHECK(engine::render_screen(menu, session).text.ends_with("\n0:Back 00:Home"));
    session.language = engine::Language::sw;
    CHECK(engine::render_screen(menu, session).text.ends_with("\n0:Rudi 00:Menu Kuu"));
}

TEST_CASE("a paged root shows Back only from its second page and never Home") {
    // Goal: root footers. Method: a root with many options, pages 0 and 1.
    Menu menu;
    menu.root = "root";
    std::vector<OptionSpec> options;
    for (int index = 1; index <= 10; ++index) {
        options.push_back({std::to_string(index), "Option with a longish label " +
                                                      std::to_string(index), "root"});
    }
    add_menu(menu, "root", "Root", options);
    const Screen first = engine::render_screen(menu, session_at(menu, "root"));
    CHECK(first.text.ends_with("\n98:More"));
    const Screen second = engine::render_screen(menu, session_at(menu, "root", 1));
    CHECK(second.text.starts_with("Root\n"));
    CHECK(contains(second.text, "0:Back"));
    CHECK_FALSE(contains(second.text, "00:Home"));
}

TEST_CASE("page_count counts pages and a page past the end shows the last one") {
    // Goal: page_count and clamping. Method: the 12-option list at page 99.
    const Menu menu = bank_menu();
    const Session session = session_at(menu, "long_list");
    const std::uint16_t pages = engine::page_count(menu, session);
    CHECK(pages >= 3);
    const Screen last = engine::render_screen(menu, session_at(menu, "long_list", pages - 1));
    CHECK(engine::render_screen(menu, session_at(menu, "long_list", 99)).text == last.text);
    CHECK(contains(last.text, "12. Savings goal number 12 details"));
    CHECK_FALSE(contains(last.text, "98:More"));
}

TEST_CASE("a screen that fits is one page with no More") {
    // Goal: no needless paging. Method: the root menu of the bank.
    const Menu menu = bank_menu();
    CHECK(engine::page_count(menu, session_at(menu, "root")) == 1);
    CHECK_FALSE(contains(engine::render_screen(menu, session_at(menu, "root")).text, "98:"));
}

TEST_CASE("a long input prompt pages at word breaks and accepts More") {
    // Goal: prompt paging. Method: a 300-character prompt, read page by page.
    Menu menu;
    menu.root = "root";
    std::string prompt;
    for (int index = 0; index < 30; ++index) {
        prompt += "Please read " + std::to_string(index) + ". ";
    }
    prompt += "Enter amount";
    add_menu(menu, "root", "Root", {{"1", "Go", "ask"}});
    add_input(menu, "ask", prompt, check_of(CheckKind::amount), "amount", "root");
    Phone phone(menu);
    phone.dial();
    std::string seen = phone.send("1").text;
    CHECK(contains(seen, "98:More"));
    while (contains(phone.screen().text, "98:More")) {
        const Screen& next = phone.send("98");
        CHECK(engine::gsm7_length(next.text) <= menu.screen_chars);
        seen += "\n" + next.text;
    }
    CHECK(contains(seen, "Please read 29."));
    CHECK(phone.screen().text.ends_with("Enter amount\n0:Back 00:Home"));
    phone.send("150");
    CHECK(phone.session().variables.at("amount") == "150");
}

TEST_CASE("a notice on a full list page takes the title's line for that showing") {
    // Goal: notices never push options off a page. Method: invalid choice on a full page.
    const Menu menu = bank_menu();
    Session session = session_at(menu, "long_list");
    session.history.push_back({"root", 0});
    const Screen plain = engine::render_screen(menu, session);
    session.notice = "Invalid choice. Please pick one of the goals.";
    REQUIRE(engine::gsm7_length(plain.text) + 1 + session.notice.size() > menu.screen_chars);
    const Screen noticed = engine::render_screen(menu, session);
    CHECK(noticed.text.starts_with("Invalid choice. Please"));
    CHECK(noticed.text.substr(noticed.text.find('\n')).starts_with("\n1. Savings goal number 1"));
    CHECK(noticed.text.substr(noticed.text.find('\n')) == plain.text.substr(plain.text.find('\n')));
    CHECK(engine::gsm7_length(noticed.text) <= menu.screen_chars);
}

TEST_CASE("an unbreakable option longer than a screen is cut below the hard maximum") {
    // Goal: cuts never exceed the budget. Method: a 400-character label at budget 182.
    Menu menu;
    menu.root = "root";
    menu.screen_chars = 182;
    add_menu(menu, "root", std::string(300, 'T'),
             {{"1", std::string(400, 'L'), "root"}, {"2", "Short", "root"}});
    for (std::uint16_t page = 0; page < 3; ++page) {
        Session session = session_at(menu, "root", page);
        session.notice = std::string(250, 'N');
        const Screen screen = engine::render_screen(menu, session);
        CHECK(engine::gsm7_length(screen.text) <= engine::screen_chars_hard_max);
        CHECK_FALSE(screen.text.empty());
    }
}

TEST_CASE("an END text over budget made of one long word is cut into pages") {
    // Goal: hard cuts for texts with no break. Method: 500 letters without a space.
    Menu menu;
    menu.root = "root";
    add_menu(menu, "root", "Root", {{"1", "Go", "end"}});
    add_end(menu, "end", std::string(500, 'x'));
    Phone phone(menu);
    phone.dial();
    std::size_t letters = 0;
    const Screen* screen = &phone.send("1");
    for (int page = 0; !screen->end; ++page) {
        REQUIRE(page < 10);
        CHECK(engine::gsm7_length(screen->text) <= menu.screen_chars);
        letters += screen->text.find('\n');
        screen = &phone.send("98");
    }
    letters += screen->text.size();
    CHECK(letters == 500);
}

TEST_CASE("extension characters are budgeted as two septets") {
    // Goal: GSM-7 budgets, not bytes. Method: a title of braces pages earlier than letters.
    Menu menu;
    menu.root = "root";
    add_menu(menu, "root", std::string(60, '['),
             {{"1", std::string(40, 'a'), "root"}, {"2", std::string(40, 'b'), "root"}});
    const Screen screen = engine::render_screen(menu, session_at(menu, "root"));
    CHECK(engine::gsm7_length(screen.text) <= 160);
    CHECK(screen.text.size() < 160);
    CHECK(engine::page_count(menu, session_at(menu, "root")) == 2);
}

TEST_CASE("a one-off END text is cut to the budget") {
    // Goal: render_end_text. Method: a 300-character text.
    Menu menu;
    const Screen screen = engine::render_end_text(menu, std::string(300, 'e'));
    CHECK(screen.end);
    CHECK(screen.text.size() == engine::screen_chars_max);
}

}  // namespace
}  // namespace hodi::test
