// The hop without HTTP: what survives a session's END, and the one bound on chained actions.
#include "adapters/ussd_hop.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <string>

#include "engine/limits.hpp"
#include "menus/loader.hpp"
#include "storage/action_catalogue.hpp"
#include "storage/demo_actions.hpp"
#include "storage/memory_session_store.hpp"
#include "tests/adapters/ussd_fixture.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

// A root menu whose option 1 enters an action that leads back to itself: a menu bug.
std::shared_ptr<const engine::Menu> make_loop_menu() {
    engine::Menu menu;
    menu.name = "loop";
    menu.version = "loop-1";
    menu.root = "main";
    menu.nodes.emplace(
        "main", engine::Node{"main", false,
                             engine::MenuNode{engine::Text{{"Loop", "Mzunguko"}},
                                              {{"1", engine::Text{{"Go", "Nenda"}}, "again"}}}});
    engine::ActionNode action;
    action.action = "test.loop";
    action.on.emplace("ok", "again");
    action.otherwise = "again";
    menu.nodes.emplace("again", engine::Node{"again", false, std::move(action)});
    return std::make_shared<const engine::Menu>(std::move(menu));
}

adapters::HopReply run(std::shared_ptr<const adapters::HopServices> services, std::string_view text,
                       std::string session_id = "ATUid_loop", std::string phone = "+254712345678",
                       std::string source = "") {
    net::io_context io;
    auto reply =
        net::co_spawn(io,
                      adapters::run_hop(std::move(services),
                                        adapters::HopRequest{.session_id = std::move(session_id),
                                                             .phone = std::move(phone),
                                                             .text = std::string(text),
                                                             .source = source.empty()
                                                                           ? net::ip::address()
                                                                           : net::ip::make_address(
                                                                                 source)}),
                      net::use_future);
    io.run();
    return reply.get();
}

// FNV-1a, the unkeyed digest sessions once kept of AT's text: 10,000 tries opened a PIN.
std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
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
        .sealer = std::make_shared<const storage::SessionSealer>(storage::SessionSealer::random()),
        .settings = {}});
    CHECK_FALSE(run(services, "").end);
    const adapters::HopReply reply = run(services, "1");
    CHECK(reply.end);
    CHECK(reply.screen == menu->texts.service_error.in(menu->default_language));
    CHECK(actions->runs == static_cast<int>(engine::action_chain_max));
}

namespace {

// The shipped menu on the demo actions, over a memory session store a test reads after each
// hop. The demo treats numbers ending 0000 as new subscribers; the others have PIN 1234.
struct ShippedMenuHops {
    explicit ShippedMenuHops(std::shared_ptr<adapters::HopLimits> limits = nullptr) {
        auto loaded = menus::load_menu_file(source_dir() / "menus/hodi.yaml",
                                            storage::builtin_action_specs());
        REQUIRE(loaded.ok());
        services = std::make_shared<const adapters::HopServices>(adapters::HopServices{
            .menus = std::make_shared<adapters::MenuSource>(
                std::make_shared<const engine::Menu>(std::move(*loaded.menu))),
            .store = store,
            .actions = std::make_shared<storage::DemoActions>(sealer),
            .sealer = sealer,
            .settings = {},
            .limits = std::move(limits)});
    }

    engine::Session at_rest(const std::string& id) const {
        const auto session = store->find(id);
        REQUIRE(session.has_value());
        return *session;
    }

    // Nothing of `pin` in the stored session: secrets sealed, no variable, no screen.
    void no_pin_in(const std::string& id, std::string_view pin) const {
        const engine::Session session = at_rest(id);
        for (const auto& [name, value] : session.secrets) {
            CHECK_MESSAGE(storage::SessionSealer::is_sealed(value), name);
            CHECK(value.find(pin) == std::string::npos);
        }
        for (const auto& [name, value] : session.variables) CHECK(value != pin);
        CHECK(session.last_reply.screen.find(pin) == std::string::npos);
    }

    std::shared_ptr<const storage::SessionSealer> sealer =
        std::make_shared<const storage::SessionSealer>(storage::SessionSealer::random());
    std::shared_ptr<storage::MemorySessionStore> store =
        std::make_shared<storage::MemorySessionStore>();
    std::shared_ptr<const adapters::HopServices> services;
};

}  // namespace

TEST_CASE("no PIN is at rest in a session: the first PIN is sealed and the text digest keyed") {
    // Goal: a session store (memory or Redis) never holds a PIN, nor an unkeyed hash of one.
    // Method: register on the shipped menu (PIN, then its repeat in the next hop), reading the
    // stored session after every hop.
    const ShippedMenuHops hops;
    const std::string newcomer = "+254700000000";
    REQUIRE_FALSE(run(hops.services, "", "ATUid_reg", newcomer).end);
    REQUIRE_FALSE(run(hops.services, "1", "ATUid_reg", newcomer).end);
    REQUIRE_FALSE(run(hops.services, "1*4826", "ATUid_reg", newcomer).end);
    const engine::Session waiting = hops.at_rest("ATUid_reg");
    REQUIRE(waiting.secrets.contains("new_pin"));
    hops.no_pin_in("ATUid_reg", "4826");
    CHECK(waiting.last_reply.text_hash == hops.sealer->text_digest("1*4826"));
    CHECK(waiting.last_reply.text_hash != fnv1a("1*4826"));
    // The repeat opens the seal: registered, and nothing of the PIN is left.
    const adapters::HopReply registered = run(hops.services, "1*4826*4826", "ATUid_reg", newcomer);
    CHECK_FALSE(registered.end);
    CHECK(registered.screen.find("Welcome") != std::string::npos);
    hops.no_pin_in("ATUid_reg", "4826");
    CHECK(hops.at_rest("ATUid_reg").secrets.empty());
    CHECK(hops.at_rest("ATUid_reg").variables.contains("pin_verified"));
}

TEST_CASE("registrations past a source's rate are refused before any PIN is hashed") {
    // Goal: choosing a language and a PIN once let one client create 3,000 subscribers in 6 s.
    // Method: a rate of 2 registrations a minute per source; three newcomers from one address,
    // then one from another.
    const ShippedMenuHops hops(std::make_shared<adapters::HopLimits>(
        adapters::HopLimitSettings{.registrations_per_source_per_minute = 2}));
    const auto registers = [&hops](const std::string& phone, const std::string& source) {
        const std::string session = "ATUid_" + phone;
        for (const std::string text : {"", "1", "1*4826"}) {
            REQUIRE_FALSE(run(hops.services, text, session, phone, source).end);
        }
        return run(hops.services, "1*4826*4826", session, phone, source);
    };
    CHECK(registers("+254700010000", "10.0.0.1").screen.starts_with("Welcome to hodi"));
    CHECK(registers("+254700020000", "10.0.0.1").screen.starts_with("Welcome to hodi"));
    const adapters::HopReply refused = registers("+254700030000", "10.0.0.1");
    CHECK(refused.end);
    CHECK(refused.screen.starts_with("Too many new registrations right now."));
    CHECK(registers("+254700040000", "10.0.0.2").screen.starts_with("Welcome to hodi"));
}

TEST_CASE("no PIN is at rest after a login or a PIN change, only the session's proof") {
    // Goal: the session's PIN and a changed PIN are never stored. Method: log in, then change
    // the PIN (the current PIN is verified in its own hop, the new one sealed until its
    // repeat), reading the stored session after every hop.
    const ShippedMenuHops hops;
    const std::string member = "+254712345678";
    REQUIRE_FALSE(run(hops.services, "", "ATUid_chg", member).end);
    std::string text = "1234";
    REQUIRE_FALSE(run(hops.services, text, "ATUid_chg", member).end);
    hops.no_pin_in("ATUid_chg", "1234");
    CHECK(hops.at_rest("ATUid_chg").variables.contains("pin_verified"));
    const engine::Menu& menu = *hops.services->menus->current();
    const auto* main = std::get_if<engine::MenuNode>(&menu.find("main")->body);
    REQUIRE(main != nullptr);
    std::string change_key;
    for (const auto& option : main->options) {
        if (option.target == "change_pin") change_key = option.key;
    }
    REQUIRE_FALSE(change_key.empty());
    for (const std::string& entry : {change_key, std::string("1234"), std::string("5173")}) {
        text += "*" + entry;
        REQUIRE_FALSE(run(hops.services, text, "ATUid_chg", member).end);
        hops.no_pin_in("ATUid_chg", "1234");
        hops.no_pin_in("ATUid_chg", "5173");
    }
    const adapters::HopReply changed = run(hops.services, text + "*5173", "ATUid_chg", member);
    CHECK(changed.end);
    CHECK(changed.screen == "Your PIN has been changed.");
    hops.no_pin_in("ATUid_chg", "5173");
}

}  // namespace hodi::test
