// One USSD hop, transport aside: load the session, find the new input in AT's `text`, step the
// engine, run the actions it asks for, save, and say what to show. adapters/at_ussd.cpp wraps
// it in HTTP and the hop budget.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/hop_limits.hpp"
#include "adapters/menu_source.hpp"
#include "adapters/session_gate.hpp"
#include "engine/menu.hpp"
#include "engine/phone.hpp"
#include "engine/session.hpp"
#include "storage/actions.hpp"
#include "storage/session_sealer.hpp"
#include "storage/session_store.hpp"

namespace hodi::adapters {

namespace net = boost::asio;

// How long the last reply of an ended session is kept: AT retries a hop it got no answer to
// within its 15 s timeout (PROTOCOLS.md §1.5), and the retry must see the same END.
inline constexpr std::chrono::seconds ended_session_ttl_default{30};

// Everything USSD is tuned by, owned once (by HopServices). How many actions one hop may chain
// is the engine's engine::action_chain_max, enforced by engine::resume().
struct UssdSettings {
    // The whole hop (store, actions, save) must fit in this, well under AT's 15 s
    // (PROTOCOLS.md §1.5); past it the subscriber gets END with the service-error text.
    std::chrono::milliseconds hop_budget{5'000};
    std::chrono::seconds session_ttl{0};  ///< 0: the menu's session_timeout
    std::chrono::seconds ended_session_ttl = ended_session_ttl_default;
    engine::PhonePolicy phone_policy = engine::PhonePolicy::lenient;
    HopLimitSettings limits{};  ///< per-phone hop rate, hops in flight
    std::function<engine::TimePoint()> clock = [] { return engine::Clock::now(); };
};

// What a hop needs. Shared, read-only, by every hop: thread-safe as long as the menu source,
// store and runner are (their contracts say they are).
struct HopServices {
    std::shared_ptr<const MenuSource> menus;
    std::shared_ptr<storage::SessionStore> store;
    std::shared_ptr<storage::ActionRunner> actions;
    // Seals the PINs a session carries to a later hop and digests AT's text (which holds them),
    // so the session store never keeps either in clear. The actions' sealer: they open seals.
    std::shared_ptr<const storage::SessionSealer> sealer;
    UssdSettings settings;
    // Made by add_ussd_routes when null: one hop at a time per session, and the limits that
    // keep one phone or one flood from starving the rest. Thread-safe.
    std::shared_ptr<SessionGate> gate{};
    std::shared_ptr<HopLimits> limits{};
};

struct HopRequest {
    std::string session_id;
    std::string phone;  ///< E.164, already normalised
    std::string text;   ///< AT's accumulated input, decoded; may hold a PIN: never log it
    // The client address the hop came from; unspecified when unknown. Kept as an address:
    // only a registration needs it as text, and formatting it on every hop costs more than a
    // hop's session lookup.
    boost::asio::ip::address source{};
    // When the subscriber stops waiting; actions do not start work after it.
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct HopReply {
    std::string screen;  ///< body without the CON/END prefix
    bool end = false;
};

// Whether `text` is the one the last reply answered (AT repeated the hop). The last reply keeps
// the text's keyed digest (SessionSealer::text_digest), the same on every node of one bank.
bool is_repeat(const storage::SessionSealer& sealer, const engine::LastReply& last,
               std::string_view text);

// The subscriber's new entry. When `text` extends the last answered text by '*' + X the entry is
// X, even if X itself holds a '*'; otherwise (no usable last reply) it is the last token.
std::string_view new_input(const storage::SessionSealer& sealer, const engine::LastReply& last,
                           std::string_view text);

// The END reply shown when hodi cannot serve (store down, hop too slow, a menu bug).
HopReply service_error_reply(const engine::Menu& menu, engine::Language language);

// Runs one hop, on the menu version the session began on while services->menus holds it
// (else on the current one). Never throws for bad input or store failures: those become
// service errors.
net::awaitable<HopReply> run_hop(std::shared_ptr<const HopServices> services,
                                 HopRequest request);

}  // namespace hodi::adapters
