// Publishing a menu while sessions run, over real HTTP: sessions finish on the version they
// began on, new ones start on the new one, and a version no longer held behaves as before.
#include "adapters/menu_source.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <variant>

#include "adapters/http_client.hpp"
#include "tests/adapters/ussd_fixture.hpp"

namespace hodi::test {

namespace {

using adapters::HttpClient;

// The test menu with another version and other words on the screens a session walks through.
std::shared_ptr<const engine::Menu> make_second_menu(std::string version) {
    engine::Menu menu = *make_test_menu();
    menu.version = std::move(version);
    std::get<engine::MenuNode>(menu.nodes.at("main").body).title =
        engine::Text{{"Welcome to hodi two", "Karibu hodi mbili"}};
    std::get<engine::MenuNode>(menu.nodes.at("account").body).title =
        engine::Text{{"Your account", "Akaunti yako"}};
    std::get<engine::EndNode>(menu.nodes.at("statement").body).text =
        engine::Text{{"Nothing here yet.", "Hakuna kitu bado."}};
    return std::make_shared<const engine::Menu>(std::move(menu));
}

std::string hop(HttpClient& client, std::string_view session_id, std::string_view text) {
    const auto response = client.post_form("/ussd/at", hop_body(session_id, text));
    REQUIRE_MESSAGE(response.has_value(), "request failed: " << response.error().message());
    return response->body;
}

}  // namespace

TEST_CASE("a session begun on one menu version finishes on it after another is published") {
    // Goal: a reload never changes the menu under a subscriber mid-session, and new sessions
    // get the new menu at once. Method: dial on v1, publish v2, walk the v1 session to its END
    // and dial a second session.
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    const std::string root = hop(client, "ATUid_old", "");
    CHECK(root.find("Welcome to hodi") != std::string::npos);
    CHECK(root.find("Welcome to hodi two") == std::string::npos);
    rig.menus->publish(make_second_menu("test-2"));
    const std::string account = hop(client, "ATUid_old", "1");
    CHECK(account.find("My account") != std::string::npos);
    CHECK(account.find("Your account") == std::string::npos);
    CHECK(hop(client, "ATUid_old", "1*1") == "END No transactions yet.");
    const std::string fresh = hop(client, "ATUid_new", "");
    CHECK(fresh.find("Welcome to hodi two") != std::string::npos);
    CHECK(hop(client, "ATUid_new", "1").find("Your account") != std::string::npos);
    CHECK(hop(client, "ATUid_new", "1*1") == "END Nothing here yet.");
}

TEST_CASE("a session whose version is no longer held carries on on the current menu") {
    // Goal: when the old version has been dropped, the session continues as it did before
    // versions were kept (on the current menu). Method: publish more versions than are held.
    UssdRig rig;
    HttpClient client("127.0.0.1", rig.server.port());
    hop(client, "ATUid_old", "");
    for (std::size_t index = 0; index <= adapters::retired_menus_max; ++index) {
        rig.menus->publish(make_second_menu("test-2." + std::to_string(index)));
    }
    REQUIRE(rig.menus->find(rig.menu->version) == nullptr);
    CHECK(hop(client, "ATUid_old", "1").find("Your account") != std::string::npos);
}

}  // namespace hodi::test
