// One function per component of `hodi serve`; see node_components.hpp.
#include "app/node_components.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <iostream>

#include "adapters/at_ussd.hpp"
#include "adapters/daraja/daraja_routes.hpp"
#include "adapters/health_routes.hpp"
#include "adapters/router.hpp"
#include "app/paths.hpp"
#include "app/pepper.hpp"
#include "menus/loader.hpp"
#include "storage/action_catalogue.hpp"
#include "storage/bank/actions/bank_actions.hpp"
#include "storage/bank/pins/pepper_check.hpp"
#include "storage/bank/sql/schema.hpp"
#include "storage/demo_actions.hpp"
#include "storage/memory_session_store.hpp"
#include "storage/redis_session_store.hpp"

namespace hodi::app {

namespace {

// Expired sessions that nobody asks for again are swept this often (saves sweep a few too).
constexpr std::chrono::seconds memory_purge_interval{30};

// Sweeps expired sessions from the memory store until the io_context stops.
net::awaitable<void> purge_sessions(std::shared_ptr<storage::MemorySessionStore> store) {
    net::steady_timer timer(co_await net::this_coro::executor);
    for (;;) {
        timer.expires_after(memory_purge_interval);
        const auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        store->purge_expired();
    }
}

std::string pepper_source(const PinHashSettings& pins) {
    return pins.pepper ? std::string("HODI_PIN_PEPPER") : pins.pepper_file.string();
}

// The PIN service's settings: the pepper (read, or created once) and the hash cost.
std::optional<storage::PinSettings> pin_settings(const PinHashSettings& pins) {
    const PepperResult pepper = load_or_create_pepper(pins.pepper, pins.pepper_file);
    if (!pepper.pepper) {
        std::cerr << "hodi serve: " << pepper.error << "; not starting\n";
        return std::nullopt;
    }
    if (pepper.created) {
        spdlog::warn("created a new PIN pepper in {}: back it up with the database; PINs "
                     "hashed with it cannot be verified without it",
                     pins.pepper_file.string());
    }
    storage::PinSettings settings = pins.cost == PinHashCost::minimum
                                        ? storage::pin_settings_for_tests()
                                        : storage::PinSettings{};
    if (pins.cost == PinHashCost::minimum) {
        spdlog::warn("pin_hash_cost: MINIMUM - PIN hashes are cheap to brute-force; for tests "
                     "and benchmarks only");
    }
    settings.pepper = *pepper.pepper;
    return settings;
}

}  // namespace

storage::Seconds wall_clock_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::optional<OpenedMenu> open_menu(const std::optional<std::filesystem::path>& configured) {
    const MenuLocation location = locate_menu(configured, menu_places());
    if (!location.path) {
        std::cerr << "hodi serve: " << location.error << "; not starting\n";
        return std::nullopt;
    }
    menus::LoadResult loaded =
        menus::load_menu_file(*location.path, storage::builtin_action_specs());
    if (!loaded.ok()) {
        std::cerr << menus::to_string(loaded.diagnostics);
        std::cerr << "hodi serve: " << loaded.diagnostics.size() << " error(s) in "
                  << location.path->string() << "; not starting (see `hodi lint`)\n";
        return std::nullopt;
    }
    return OpenedMenu{std::make_shared<const engine::Menu>(std::move(*loaded.menu)),
                      *location.path};
}

namespace {

// The pepper fits the bank: one is there (or may be made, when no subscriber has a PIN yet)
// and its check value is the bank's. Otherwise hodi must not start: every right PIN would
// read as wrong, and subscribers would lock themselves out trying.
bool pepper_fits_bank(const PinHashSettings& pins, const std::filesystem::path& database,
                      const std::string& pepper) {
    auto db = storage::open_connection(database);
    if (!db) return false;
    const auto now = wall_clock_seconds().time_since_epoch().count();
    const auto fit = storage::fit_pepper(**db, pepper, now);
    if (!fit) return false;
    if (*fit == storage::PepperFit::differs) {
        std::cerr << "hodi serve: the PIN pepper (" << pepper_source(pins)
                  << ") is not the one the PINs in " << database.string()
                  << " were hashed with; restore the right one; not starting\n";
        return false;
    }
    if (*fit == storage::PepperFit::recorded) {
        spdlog::info("bank: recorded the PIN pepper's check value in {}", database.string());
    }
    return true;
}

// A bank whose subscribers have PINs cannot take a new pepper: refuse before one is made.
bool pepper_present_if_needed(const PinHashSettings& pins, const std::filesystem::path& database) {
    if (pins.pepper || std::filesystem::exists(pins.pepper_file)) return true;
    auto db = storage::open_connection(database);
    if (!db) return false;
    const auto users = storage::users_with_pins(**db);
    if (!users) return false;
    if (*users == 0) return true;
    std::cerr << "hodi serve: " << database.string() << " holds " << *users
              << " subscribers' PINs but the PIN pepper " << pins.pepper_file.string()
              << " is missing; restore it from the backup (or set HODI_PIN_PEPPER); "
                 "not starting\n";
    return false;
}

}  // namespace

std::optional<ActionBackend> open_actions(const BankSettings& bank, const PinHashSettings& pins,
                                          const storage::LoanSettings& loans,
                                          const PaymentSettings& payments) {
    ActionBackend backend;
    if (bank.actions == ActionsBackend::demo) {
        spdlog::warn("actions: DEMO - fixed data, nothing is stored and no money moves");
        backend.sealer =
            std::make_shared<const storage::SessionSealer>(storage::SessionSealer::random());
        backend.actions = std::make_shared<storage::DemoActions>(backend.sealer);
        return backend;
    }
    storage::StoreSettings store_settings = bank.store;
    store_settings.score_rules.repaid_days_min = loans.score_repaid_days_min;
    auto store = storage::Store::open(std::move(store_settings));
    if (!store) {
        std::cerr << "hodi serve: cannot open the bank " << bank.store.path.string() << ": "
                  << store.error().message() << "; not starting\n";
        return std::nullopt;
    }
    if (!pepper_present_if_needed(pins, bank.store.path)) return std::nullopt;
    std::optional<storage::PinSettings> pin = pin_settings(pins);
    if (!pin || !pepper_fits_bank(pins, bank.store.path, pin->pepper)) return std::nullopt;
    backend.sealer = std::make_shared<const storage::SessionSealer>(pin->pepper);
    backend.store = std::move(*store);
    backend.bank = std::make_unique<storage::Bank>(*backend.store, std::move(*pin));
    backend.actions = std::make_shared<storage::BankActions>(
        *backend.bank, wall_clock_seconds, loans, backend.sealer,
        payments.prompts_per_phone_per_hour);
    return backend;
}

std::shared_ptr<storage::SessionStore> open_session_store(const SessionSettings& sessions,
                                                          net::io_context& io, unsigned threads) {
    if (sessions.backend == SessionBackend::redis) {
        storage::RedisSettings redis = sessions.redis;
        if (redis.connections <= 1) redis.connections = threads;
        redis.one_thread = threads == 1;
        return std::make_shared<storage::RedisSessionStore>(io.get_executor(), redis);
    }
    auto memory = std::make_shared<storage::MemorySessionStore>(sessions.memory);
    net::co_spawn(io, purge_sessions(memory), net::detached);
    return memory;
}

std::shared_ptr<adapters::MenuSource> make_menu_source(std::shared_ptr<const engine::Menu> menu,
                                                       const adapters::UssdSettings& ussd) {
    return std::make_shared<adapters::MenuSource>(
        std::move(menu), adapters::MenuSourceSettings{.retain_for = ussd.session_ttl});
}

std::shared_ptr<adapters::HttpHandler> make_http_handler(
    std::shared_ptr<const adapters::MenuSource> menus,
    std::shared_ptr<storage::SessionStore> sessions,
    std::shared_ptr<storage::ActionRunner> actions,
    std::shared_ptr<const storage::SessionSealer> sealer, const adapters::UssdSettings& ussd,
    const AtSettings& at, const PaymentRails* payments) {
    auto router = std::make_shared<adapters::Router>();
    adapters::add_health_routes(*router, sessions);
    adapters::add_ussd_routes(*router, adapters::HopServices{.menus = std::move(menus),
                                                             .store = std::move(sessions),
                                                             .actions = std::move(actions),
                                                             .sealer = std::move(sealer),
                                                             .settings = ussd},
                              at.callbacks);
    if (payments != nullptr) {
        adapters::daraja::add_daraja_routes(*router, payments->callbacks(),
                                            payments->callback_auth());
    }
    return router;
}

std::unique_ptr<adapters::OutboxDrainer> make_drainer(net::any_io_executor executor,
                                                      storage::Store& store,
                                                      const PaymentSettings& payments,
                                                      adapters::Senders senders) {
    return std::make_unique<adapters::OutboxDrainer>(std::move(executor), store, payments.outbox,
                                                     std::move(senders), wall_clock_seconds);
}

std::unique_ptr<storage::OverdueSweeper> make_overdue_sweep(net::any_io_executor executor,
                                                           storage::Store& store) {
    return std::make_unique<storage::OverdueSweeper>(
        std::move(executor), store, storage::OverdueSweepSettings{}, wall_clock_seconds);
}

}  // namespace hodi::app
