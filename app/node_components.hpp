// The wiring of each component `hodi serve` runs, one small function per component, each
// taking only its own Settings. app/node.cpp calls them in order; nothing else does. Each
// prints why it failed to stderr ("hodi serve: ..."), as the operator must read it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <memory>
#include <optional>

#include "adapters/http_server.hpp"
#include "adapters/menu_source.hpp"
#include "adapters/outbox_drainer.hpp"
#include "app/config.hpp"
#include "app/node_payments.hpp"
#include "engine/menu.hpp"
#include "storage/actions.hpp"
#include "storage/bank/pins/pin_service.hpp"
#include "storage/bank/money/overdue_sweeper.hpp"
#include "storage/bank/sql/store.hpp"
#include "storage/session_store.hpp"

namespace hodi::app {

namespace net = boost::asio;

// Whole seconds of the system clock: what the bank, the drainer and the sweep stamp rows with.
storage::Seconds wall_clock_seconds();

// The menu `hodi serve` serves and the file it came from.
struct OpenedMenu {
    std::shared_ptr<const engine::Menu> menu;
    std::filesystem::path file;
};

// Finds (locate_menu) and loads the menu; nullopt when it is missing or has errors.
std::optional<OpenedMenu> open_menu(const std::optional<std::filesystem::path>& configured);

// What answers the menus' actions, and the bank behind it when there is one. Destroyed after
// the server stops and before the io_context: the Store finishes every submitted write first,
// posting their completions to the io_context, which must still exist then.
struct ActionBackend {
    std::unique_ptr<storage::Store> store;  ///< null with the demo actions
    std::unique_ptr<storage::Bank> bank;    ///< null with the demo actions
    std::shared_ptr<storage::ActionRunner> actions;
    // Keyed from the PIN pepper (random with the demo actions): the hop seals with it and the
    // actions open its seals.
    std::shared_ptr<const storage::SessionSealer> sealer;
};

// The bank (its Store, the PIN service on the pepper, the bank actions) or the demo actions.
std::optional<ActionBackend> open_actions(const BankSettings& bank, const PinHashSettings& pins,
                                          const storage::LoanSettings& loans,
                                          const PaymentSettings& payments);

// The session store `sessions` names; the memory store is purged of expired sessions on `io`
// until it stops. Redis gets one connection per network thread unless told otherwise.
std::shared_ptr<storage::SessionStore> open_session_store(const SessionSettings& sessions,
                                                          net::io_context& io, unsigned threads);

// The menu every channel serves, holding a replaced version for as long as a session begun on
// it can last (`session_ttl`, else each version's own session_timeout).
std::shared_ptr<adapters::MenuSource> make_menu_source(std::shared_ptr<const engine::Menu> menu,
                                                       const adapters::UssdSettings& ussd);

// What answers HTTP: one router with the USSD routes, the health endpoints and, with a bank,
// Daraja's callback routes.
std::shared_ptr<adapters::HttpHandler> make_http_handler(
    std::shared_ptr<const adapters::MenuSource> menus,
    std::shared_ptr<storage::SessionStore> sessions,
    std::shared_ptr<storage::ActionRunner> actions,
    std::shared_ptr<const storage::SessionSealer> sealer, const adapters::UssdSettings& ussd,
    const AtSettings& at, const PaymentRails* payments);

// The outbox drainer over `store`, carrying out what the bank queued (rows a crash left
// included) through `senders`, paced as `payments` says. Not started.
std::unique_ptr<adapters::OutboxDrainer> make_drainer(net::any_io_executor executor,
                                                      storage::Store& store,
                                                      const PaymentSettings& payments,
                                                      adapters::Senders senders);

// The overdue sweep over `store`. Not started.
std::unique_ptr<storage::OverdueSweeper> make_overdue_sweep(net::any_io_executor executor,
                                                           storage::Store& store);

}  // namespace hodi::app
