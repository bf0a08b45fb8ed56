// Shared pieces of the adapters tests.
#include "tests/adapters/ussd_fixture.hpp"

#include <doctest/doctest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/health_routes.hpp"
#include "adapters/http_client.hpp"

namespace hodi::test {

namespace {

engine::Text text(std::string en, std::string sw) { return engine::Text{{en, sw}}; }

engine::Node menu_node(std::string id, engine::Text title, std::vector<engine::Option> options) {
    return engine::Node{std::move(id), false, engine::MenuNode{std::move(title),
                                                               std::move(options)}};
}

engine::Node end_node(std::string id, engine::Text body) {
    return engine::Node{std::move(id), false, engine::EndNode{std::move(body)}};
}

engine::Node input_node(std::string id, engine::Text prompt, engine::CheckKind kind,
                        std::string save_as, std::string target) {
    engine::InputNode input;
    input.prompt = std::move(prompt);
    input.check.kind = kind;
    input.save_as = std::move(save_as);
    input.target = std::move(target);
    return engine::Node{std::move(id), false, std::move(input)};
}

engine::Node action_node(std::string id, std::string action, std::string target) {
    engine::ActionNode node;
    node.action = std::move(action);
    node.on.emplace("ok", target);
    node.otherwise = std::move(target);
    return engine::Node{std::move(id), false, std::move(node)};
}

void add(engine::Menu& menu, engine::Node node) {
    std::string id = node.id;
    menu.nodes.emplace(std::move(id), std::move(node));
}

void add_account(engine::Menu& menu) {
    std::vector<engine::Option> options{
        {"1", text("Mini statement", "Taarifa fupi"), "statement"},
        {"2", text("Send to a phone number", "Tuma kwa nambari ya simu"), "account_phone"}};
    // Enough long lines that the account menu needs a second page ("98").
    for (int index = 3; index <= 9; ++index) {
        options.push_back({std::to_string(index),
                           text("Account service number " + std::to_string(index),
                                "Huduma ya akaunti nambari " + std::to_string(index)),
                           "statement"});
    }
    add(menu, menu_node("account", text("My account", "Akaunti yangu"), std::move(options)));
    add(menu, end_node("statement", text("No transactions yet.", "Hakuna miamala bado.")));
    add(menu, input_node("account_phone", text("Enter phone number", "Weka nambari ya simu"),
                         engine::CheckKind::phone, "to", "account_done"));
    add(menu, end_node("account_done", text("Request received.", "Ombi limepokelewa.")));
}

}  // namespace

std::shared_ptr<const engine::Menu> make_test_menu() {
    engine::Menu menu;
    menu.name = "test";
    menu.version = "test-1";
    menu.root = "main";
    add(menu, menu_node("main", text("Welcome to hodi", "Karibu hodi"),
                        {{"1", text("My account", "Akaunti yangu"), "account"},
                         {"2", text("Send money", "Tuma pesa"), "send_phone"},
                         {"3", text("Balance", "Salio"), "balance"}}));
    add_account(menu);
    add(menu, input_node("send_phone", text("Enter phone number", "Weka nambari ya simu"),
                         engine::CheckKind::phone, "to", "send_amount"));
    add(menu, input_node("send_amount", text("Enter amount", "Weka kiasi"),
                         engine::CheckKind::amount, "amount", "send"));
    add(menu, action_node("send", "test.send", "send_done"));
    add(menu, end_node("send_done", text("Money sent.", "Pesa imetumwa.")));
    add(menu, action_node("balance", "test.balance", "balance_shown"));
    add(menu, menu_node("balance_shown", text("Your balance is ready", "Salio lako liko tayari"),
                        {{"1", text("Main menu", "Menyu kuu"), "main"}}));
    return std::make_shared<const engine::Menu>(std::move(menu));
}

net::awaitable<engine::ActionResult> CountingActions::run(engine::ActionRequest request,
                                                          storage::ActionContext context) {
    (void)request;
    ++runs;
    last_request_id = context.request_id;
    if (delay.count() > 0) {
        net::steady_timer timer(co_await net::this_coro::executor, delay);
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    }
    co_return engine::ActionResult{};
}

net::awaitable<boost::system::result<std::optional<engine::Session>>> FlakyStore::load(
    std::string session_id) {
    if (fail_load) co_return storage::make_error_code(storage::StoreError::unavailable);
    co_return memory.find(session_id);
}

net::awaitable<boost::system::error_code> FlakyStore::save(engine::Session session,
                                                           std::chrono::seconds ttl) {
    if (fail_save) co_return storage::make_error_code(storage::StoreError::timeout);
    memory.put(std::move(session), ttl);
    co_return boost::system::error_code{};
}

net::awaitable<boost::system::error_code> FlakyStore::erase(std::string session_id) {
    memory.remove(session_id);
    co_return boost::system::error_code{};
}

TestServer::TestServer(std::shared_ptr<adapters::HttpHandler> handler,
                       adapters::HttpServerSettings settings)
    : server_(io_, [&settings] {
          settings.address = "127.0.0.1";
          settings.port = 0;
          return settings;
      }(), std::move(handler)) {
    const auto ec = server_.start();
    if (ec) FAIL("cannot start the test server: " << ec.message());
    thread_ = std::thread([this] { io_.run(); });
}

TestServer::~TestServer() {
    server_.shutdown([this] { io_.stop(); });
    thread_.join();
}

namespace {

std::shared_ptr<adapters::Router> make_router(const UssdRig& rig, adapters::UssdSettings settings,
                                              adapters::CallbackAuthSettings auth) {
    auto router = std::make_shared<adapters::Router>();
    adapters::add_health_routes(*router, rig.store);
    adapters::add_ussd_routes(*router, adapters::HopServices{.menus = rig.menus,
                                                             .store = rig.store,
                                                             .actions = rig.actions,
                                                             .sealer = rig.sealer,
                                                             .settings = std::move(settings)},
                              std::move(auth));
    return router;
}

}  // namespace

UssdRig::UssdRig(std::shared_ptr<storage::SessionStore> store_in,
                 adapters::UssdSettings settings, adapters::CallbackAuthSettings auth,
                 adapters::HttpServerSettings http)
    : menu(make_test_menu()),
      menus(std::make_shared<adapters::MenuSource>(
          menu, adapters::MenuSourceSettings{.clock = settings.clock})),
      store(store_in ? std::move(store_in)
                     : std::make_shared<storage::MemorySessionStore>()),
      actions(std::make_shared<CountingActions>()),
      sealer(std::make_shared<const storage::SessionSealer>(storage::SessionSealer::random())),
      router(make_router(*this, std::move(settings), std::move(auth))),
      server(router, std::move(http)) {}

std::string hop_body(std::string_view session_id, std::string_view text,
                     std::string_view phone) {
    return adapters::form_encode({{"sessionId", session_id},
                                  {"serviceCode", "*384*2470#"},
                                  {"phoneNumber", phone},
                                  {"networkCode", "63902"},
                                  {"text", text}});
}

}  // namespace hodi::test
