// Session bookkeeping across hops: expiry, restarts, reloaded menus, counters and caps.
#include "engine/step.hpp"

#include <doctest/doctest.h>

#include "tests/engine/fixtures.hpp"

namespace hodi::test {
namespace {

TEST_CASE("a session idle past the timeout restarts at the root with the expiry notice") {
    // Goal: expiry with a passed-in clock. Method: step at last_seen + timeout + 1s.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("6");
    const TimePoint last = phone.session().last_seen;
    const Screen& screen = phone.send_at("Wanjiru", last + menu.session_timeout + 1s);
    CHECK(screen.text.starts_with(menu.texts.session_expired.in(engine::Language::en) +
                                  "\nWelcome to Hodi"));
    CHECK(phone.session().node_id == "root");
    CHECK(phone.session().history.empty());
    CHECK(phone.session().variables.empty());
    CHECK(phone.session().id == "ATUid_test");
    CHECK(phone.session().phone == owner_phone);
}

TEST_CASE("a session idle exactly the timeout carries on") {
    // Goal: the boundary is exclusive. Method: step at last_seen + timeout.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("6");
    const TimePoint last = phone.session().last_seen;
    phone.send_at("Wanjiru", last + menu.session_timeout);
    CHECK(phone.session().node_id == "greet");
}

TEST_CASE("an expired restart keeps the subscriber's language") {
    // Goal: fresh state, same language. Method: pick Kiswahili, then expire.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send("3");
    phone.send("2");
    const Screen& screen = phone.send_at("1", phone.now() + menu.session_timeout + 1s);
    CHECK(screen.text.starts_with("Muda wa kikao umeisha."));
    CHECK(phone.session().language == engine::Language::sw);
}

TEST_CASE("begin() with StartReason::expired shows the notice above the root") {
    // Goal: begin's reason. Method: begin a fresh session as expired.
    const Menu menu = bank_menu();
    const Step first = engine::begin(
        menu, engine::new_session(menu, "s", "+254712345678", engine::Language::en, start_time),
        start_time, engine::StartReason::expired);
    CHECK(first.screen.text.starts_with("Your session timed out. Starting again.\nWelcome"));
    CHECK(first.session.notice.empty());
}

TEST_CASE("a session on a node the menu no longer has starts over at the root") {
    // Goal: menu reloads never crash a session. Method: a session naming a removed node.
    const Menu menu = bank_menu();
    Session session =
        engine::new_session(menu, "s", "+254712345678", engine::Language::en, start_time);
    session.node_id = "removed_node";
    session.history.push_back({"removed_parent", 0});
    const Step next = engine::step(menu, session, "1", start_time + 1s);
    CHECK(next.session.node_id == "root");
    CHECK(next.session.history.empty());
    CHECK(next.screen.text.starts_with("Welcome to Hodi"));
}

TEST_CASE("the hop counter and last_seen advance with each step") {
    // Goal: bookkeeping. Method: two steps at known times.
    const Menu menu = bank_menu();
    Phone phone(menu);
    phone.dial();
    phone.send_at("6", start_time + 7s);
    CHECK(phone.session().hops == 2);
    CHECK(phone.session().last_seen == start_time + 7s);
    CHECK(phone.session().started == start_time);
}

TEST_CASE("action outputs are capped in count and length") {
    // Goal: variables_max and variable_chars_max. Method: an action returning too much.
    Menu menu;
    menu.root = "root";
    add_menu(menu, "root", "Root", {{"1", "Go", "a"}});
    add_action(menu, "a", "x.big", {}, {{"ok", "done"}});
    add_end(menu, "done", "Done.");
    Phone phone(menu);
    phone.actions.outputs.clear();
    for (std::size_t index = 0; index < engine::variables_max + 10; ++index) {
        phone.actions.outputs.emplace("v" + std::to_string(1000 + index), std::string(500, 'x'));
    }
    phone.dial();
    const Step asked = engine::step(menu, phone.session(), "1", start_time + 1s);
    const Step done = engine::resume(menu, asked.session, phone.actions(*asked.action),
                                     start_time + 1s);
    CHECK(done.session.variables.size() == engine::variables_max);
    for (const auto& [name, value] : done.session.variables) {
        CHECK(value.size() == engine::variable_chars_max);
    }
}

}  // namespace
}  // namespace hodi::test
