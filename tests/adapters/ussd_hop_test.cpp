// The hop without HTTP: what survives a session's END, and the one bound on chained actions.
#include "adapters/ussd_hop.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <string>

#include "engine/limits.hpp"
#include "storage/memory_session_store.hpp"
#include "tests/adapters/ussd_fixture.hpp"

namespace hodi::test {

namespace {

// A root menu whose option 1 enters an action that leads back to itself: a menu bug.
std::shared_ptr<const engine::Menu> make_loop_menu() {
    engine::Menu menu;
    menu.name = "loop";
    menu.version = "loop-1";
    menu.root = "main";
    menu.nodes.emplace("main", engine::Node{"main", false,
                                            engine::MenuNode{engine::Text{{"Loop", "Mzunguko"}},
                                                             {{"1", engine::Text{{"Go", "Nenda"}},
                                                               "again"}}}});
    engine::ActionNode action;
    action.action = "test.loop";
    action.on.emplace("ok", "again");
    action.otherwise = "again";
    menu.nodes.emplace("again", engine::Node{"again", false, std::move(action)});
    return std::make_shared<const engine::Menu>(std::move(menu));
}

adapters::HopReply run(std::shared_ptr<const adapters::HopServices> services,
                       std::string_view text) {
    net::io_context io;
    auto reply = net::co_spawn(io,
                               adapters::run_hop(std::move(services),
                                                 adapters::HopRequest{"ATUid_loop",
                                                                      "+254712345678",
                                                                      std::string(text)}),
                               net::use_future);
    io.run();
    return reply.get();
}

}  // namespace

TEST_CASE("an ended session keeps its record and nothing else") {
    // Goal: after END only the owner, position and last reply are stored: no variables, no
    // secrets, no history. Method: fill every field, end it, compare.
    engine::Session session;
    session.id = "ATUid_1";
    session.phone = "+254712345678";
    session.menu_version = "v1";
    session.node_id = "done";
    session.language = engine::Language::sw;
    session.started = engine::TimePoint(std::chrono::seconds(100));
    session.last_seen = engine::TimePoint(std::chrono::seconds(160));
    session.hops = 5;
    session.last_reply = engine::LastReply{7, 3, true, true, "Pesa imetumwa."};
    session.page = 2;
    session.history = {engine::Frame{"main", 0}};
    session.history_floor = 1;
    session.tries = 2;
    session.variables.emplace("amount", "15000");
    session.secrets.emplace("pin", "1234");
    session.notice = "a notice";
    session.actions_in_hop = 3;
    const engine::Session kept = engine::ended_session(session);
    CHECK(kept.id == session.id);
    CHECK(kept.phone == session.phone);
    CHECK(kept.menu_version == session.menu_version);
    CHECK(kept.node_id == session.node_id);
    CHECK(kept.language == session.language);
    CHECK(kept.started == session.started);
    CHECK(kept.last_seen == session.last_seen);
    CHECK(kept.hops == session.hops);
    CHECK(kept.last_reply.screen == session.last_reply.screen);
    CHECK(kept.last_reply.text_hash == session.last_reply.text_hash);
    CHECK(kept.last_reply.end);
    CHECK(kept.page == 0);
    CHECK(kept.history.empty());
    CHECK(kept.history_floor == 0);
    CHECK(kept.tries == 0);
    CHECK(kept.variables.empty());
    CHECK(kept.secrets.empty());
    CHECK(kept.notice.empty());
    CHECK(kept.actions_in_hop == 0);
}

TEST_CASE("a hop whose actions loop stops at the engine's chain limit with the service error") {
    // Goal: one bound on chained actions, engine::action_chain_max, holds through a real hop.
    // Method: a menu whose action leads back to itself; count the runs and read the reply.
    const auto menu = make_loop_menu();
    auto actions = std::make_shared<CountingActions>();
    const auto services = std::make_shared<const adapters::HopServices>(adapters::HopServices{
        .menus = std::make_shared<adapters::MenuSource>(menu),
        .store = std::make_shared<storage::MemorySessionStore>(),
        .actions = actions,
        .settings = {}});
    CHECK_FALSE(run(services, "").end);
    const adapters::HopReply reply = run(services, "1");
    CHECK(reply.end);
    CHECK(reply.screen == menu->texts.service_error.in(menu->default_language));
    CHECK(actions->runs == static_cast<int>(engine::action_chain_max));
}

}  // namespace hodi::test
