// Africa's Talking USSD over HTTP (PROTOCOLS.md §1): POST /ussd/at answers a hop with
// "CON ..."/"END ...", POST /ussd/at/events takes the end-of-session notification, and
// GET /healthz and /readyz serve the load balancer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "adapters/http_server.hpp"
#include "adapters/ussd_hop.hpp"
#include "engine/menu.hpp"
#include "engine/phone.hpp"

namespace hodi::adapters {

inline constexpr std::size_t session_id_chars_max = 128;  // AT sends "ATUid_" + 32 hex

struct AtUssdSettings {
    // The whole hop (store, actions, save) must fit in this, well under AT's 15 s
    // (PROTOCOLS.md §1.5); past it the subscriber gets END with the service-error text.
    std::chrono::milliseconds hop_budget{5'000};
    std::size_t actions_per_hop = actions_per_hop_max;
    std::chrono::seconds session_ttl{0};  ///< 0: the menu's session_timeout
    engine::PhonePolicy phone_policy = engine::PhonePolicy::lenient;
    std::function<engine::TimePoint()> clock = [] { return engine::Clock::now(); };
};

// Routes requests to the USSD hop and the health endpoints. Thread-safe: one handler serves
// every connection; set_menu() may be called from any thread while hops run (a hop keeps the
// menu it started with).
class AtUssdHandler final : public HttpHandler {
public:
    AtUssdHandler(std::shared_ptr<const engine::Menu> menu,
                  std::shared_ptr<storage::SessionStore> store,
                  std::shared_ptr<storage::ActionRunner> actions, AtUssdSettings settings = {});

    net::awaitable<HttpReply> handle(HttpRequest request) override;

    void set_menu(std::shared_ptr<const engine::Menu> menu);
    std::shared_ptr<const engine::Menu> menu() const;

private:
    net::awaitable<HttpReply> handle_hop(HttpRequest request);
    HttpReply handle_events(const HttpRequest& request) const;

    std::atomic<std::shared_ptr<const engine::Menu>> menu_;
    std::shared_ptr<const HopServices> services_;
    AtUssdSettings settings_;
};

}  // namespace hodi::adapters
