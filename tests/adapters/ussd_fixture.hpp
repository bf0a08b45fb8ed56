// Shared pieces of the adapters tests: a small menu built in code, an action runner that counts
// its runs, a session store that can fail, and a real server on a random loopback port.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/at_ussd.hpp"
#include "adapters/http_server.hpp"
#include "adapters/menu_source.hpp"
#include "adapters/router.hpp"
#include "engine/menu.hpp"
#include "storage/actions.hpp"
#include "storage/memory_session_store.hpp"

namespace hodi::test {

namespace net = boost::asio;

// Root: 1 Account (a long menu that pages; its option 2 asks for a phone), 2 Send money (phone,
// amount, action, END), 3 Balance (an action, then a CON screen).
std::shared_ptr<const engine::Menu> make_test_menu();

// Answers every action "ok" and counts the runs; `delay` makes each run that slow.
class CountingActions final : public storage::ActionRunner {
public:
    const std::vector<engine::ActionSpec>& specs() const override { return specs_; }
    net::awaitable<engine::ActionResult> run(engine::ActionRequest request,
                                             storage::ActionContext context) override;

    std::atomic<int> runs{0};
    std::chrono::milliseconds delay{0};
    std::string last_request_id;  ///< written by run(); read after the hop is answered

private:
    std::vector<engine::ActionSpec> specs_;
};

// A memory store whose load or save can be made to fail, as a Redis outage would.
class FlakyStore final : public storage::SessionStore {
public:
    net::awaitable<boost::system::result<std::optional<engine::Session>>> load(
        std::string session_id) override;
    net::awaitable<boost::system::error_code> save(engine::Session session,
                                                   std::chrono::seconds ttl) override;
    net::awaitable<boost::system::error_code> erase(std::string session_id) override;
    bool ready() const override { return !fail_load && !fail_save; }

    std::atomic<bool> fail_load{false};
    std::atomic<bool> fail_save{false};
    storage::MemorySessionStore memory;
};

// A server on 127.0.0.1:<random> with one io thread, stopped and joined on destruction.
class TestServer {
public:
    explicit TestServer(std::shared_ptr<adapters::HttpHandler> handler,
                        adapters::HttpServerSettings settings = {});
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    std::uint16_t port() const { return server_.port(); }
    adapters::HttpServer& server() { return server_; }

private:
    net::io_context io_;
    adapters::HttpServer server_;
    std::thread thread_;
};

// USSD settings without the per-phone hop rate: most tests dial hundreds of hops from one
// phone; the limits' own tests set them.
inline adapters::UssdSettings unlimited_settings() {
    adapters::UssdSettings settings;
    settings.limits.hops_per_phone_per_minute = 0;
    return settings;
}

// The usual wiring for hop tests: the test menu in a MenuSource (on the settings' clock), a
// memory store (or another), counting actions, and a router with the health and USSD routes.
struct UssdRig {
    explicit UssdRig(std::shared_ptr<storage::SessionStore> store = nullptr,
                     adapters::UssdSettings settings = unlimited_settings(),
                     adapters::CallbackAuthSettings auth = {},
                     adapters::HttpServerSettings http = {});

    std::shared_ptr<const engine::Menu> menu;
    std::shared_ptr<adapters::MenuSource> menus;
    std::shared_ptr<storage::SessionStore> store;
    std::shared_ptr<CountingActions> actions;
    std::shared_ptr<const storage::SessionSealer> sealer;
    std::shared_ptr<adapters::Router> router;
    TestServer server;
};

// The form body of one AT hop (field values percent-encoded).
std::string hop_body(std::string_view session_id, std::string_view text,
                     std::string_view phone = "+254712345678");

}  // namespace hodi::test
