// `hodi serve`: loads the configuration and the menu, then serves AT USSD over HTTP on N
// threads until SIGINT or SIGTERM, finishing in-flight hops before it exits.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/at_ussd.hpp"
#include "adapters/health_routes.hpp"
#include "adapters/http_server.hpp"
#include "adapters/menu_source.hpp"
#include "adapters/outbox_drainer.hpp"
#include "adapters/router.hpp"
#include "adapters/sandbox_sender.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/pepper.hpp"
#include "menus/loader.hpp"
#include "storage/action_catalogue.hpp"
#include "storage/bank/pins/pin_service.hpp"
#include "storage/bank/actions/bank_actions.hpp"
#include "storage/bank/money/loans.hpp"
#include "storage/bank/sql/store.hpp"
#include "storage/demo_actions.hpp"
#include "storage/memory_session_store.hpp"
#include "storage/redis_session_store.hpp"

namespace hodi::app {

namespace {

namespace net = boost::asio;

// Exit codes: 0 stopped cleanly, 1 could not serve (port taken), 2 bad configuration or menu.
constexpr int exit_cannot_serve = 1;
constexpr int exit_bad_config = 2;
// Expired sessions that nobody asks for again are swept this often (saves sweep a few too).
constexpr std::chrono::seconds memory_purge_interval{30};
// Overdue loans are looked for this often (and at start): a penalty is charged once, the first
// time a loan is seen past its due date, whether or not its borrower dials.
constexpr std::chrono::minutes overdue_sweep_interval{10};
constexpr std::size_t overdue_sweep_users_per_job = 200;

struct ServeOptions {
    std::optional<std::string> config_file;
    std::optional<std::string> listen;
};

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

storage::Seconds wall_clock_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

// A write job charging one batch of overdue borrowers.
storage::DbFn<std::size_t> overdue_job(storage::Seconds now) {
    return [now](storage::Connection& db) {
        return storage::charge_all_overdue_penalties(db, now, overdue_sweep_users_per_job);
    };
}

// Charges overdue penalties across the book every overdue_sweep_interval, in small write jobs
// so money hops never wait long behind it, until the io_context stops.
net::awaitable<void> sweep_overdue_loans(storage::Store* store) {
    net::steady_timer timer(co_await net::this_coro::executor);
    for (;;) {
        for (;;) {
            auto charged = co_await store->write<std::size_t>(overdue_job(wall_clock_seconds()));
            if (!charged) spdlog::warn("overdue sweep failed: {}", charged.error().message());
            if (!charged || *charged < overdue_sweep_users_per_job) break;
        }
        timer.expires_after(overdue_sweep_interval);
        const auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
    }
}

std::optional<Config> read_config(const ServeOptions& options) {
    try {
        std::optional<std::filesystem::path> file;
        if (options.config_file) file = *options.config_file;
        Config config = load_config(file);
        if (options.listen) set_listen(config, *options.listen, "--listen");
        return config;
    } catch (const ConfigError& error) {
        std::cerr << error.what() << "\nhodi serve: bad configuration; not starting\n";
        return std::nullopt;
    }
}

std::shared_ptr<const engine::Menu> read_menu(const Config& config) {
    menus::LoadResult loaded = menus::load_menu_file(config.menu, storage::builtin_action_specs());
    if (!loaded.ok()) {
        std::cerr << menus::to_string(loaded.diagnostics);
        std::cerr << "hodi serve: " << loaded.diagnostics.size() << " error(s) in "
                  << config.menu.string() << "; not starting (see `hodi lint`)\n";
        return nullptr;
    }
    return std::make_shared<const engine::Menu>(std::move(*loaded.menu));
}

// The session store the configuration names. Redis gets one connection per network thread.
std::shared_ptr<storage::SessionStore> make_store(const Config& config, net::io_context& io) {
    if (config.sessions == SessionBackend::redis) {
        storage::RedisSettings redis = config.redis;
        if (redis.connections <= 1) redis.connections = config.effective_threads();
        return std::make_shared<storage::RedisSessionStore>(io.get_executor(), redis);
    }
    auto memory = std::make_shared<storage::MemorySessionStore>(
        storage::MemorySessionStoreSettings{.max_sessions = config.max_sessions});
    net::co_spawn(io, purge_sessions(memory), net::detached);
    return memory;
}

// What answers the menus' actions, and the bank behind it when there is one. Destroyed after
// the server stops and before the io_context: the Store finishes every submitted write first.
struct ActionBackend {
    std::unique_ptr<storage::Store> store;
    std::unique_ptr<storage::Bank> bank;
    std::shared_ptr<storage::ActionRunner> actions;
};

std::optional<ActionBackend> open_actions(const Config& config) {
    ActionBackend backend;
    if (config.actions == ActionsBackend::demo) {
        spdlog::warn("actions: DEMO - fixed data, nothing is stored and no money moves");
        backend.actions = std::make_shared<storage::DemoActions>();
        return backend;
    }
    const PepperResult pepper = load_or_create_pepper(config.pin_pepper, config.pin_pepper_file);
    if (!pepper.pepper) {
        std::cerr << "hodi serve: " << pepper.error << "; not starting\n";
        return std::nullopt;
    }
    if (pepper.created) {
        spdlog::warn("created a new PIN pepper in {}: back it up with the database; PINs "
                     "hashed with it cannot be verified without it",
                     config.pin_pepper_file.string());
    }
    auto store = storage::Store::open(
        storage::StoreSettings{.path = config.database, .page_cache_bytes = config.database_cache});
    if (!store) {
        std::cerr << "hodi serve: cannot open the bank " << config.database.string() << ": "
                  << store.error().message() << "; not starting\n";
        return std::nullopt;
    }
    backend.store = std::move(*store);
    storage::PinSettings pins =
        config.pin_hash_cost == PinHashCost::minimum ? storage::pin_settings_for_tests()
                                                     : storage::PinSettings{};
    if (config.pin_hash_cost == PinHashCost::minimum) {
        spdlog::warn("pin_hash_cost: MINIMUM - PIN hashes are cheap to brute-force; for tests "
                     "and benchmarks only");
    }
    pins.pepper = *pepper.pepper;
    backend.bank = std::make_unique<storage::Bank>(*backend.store, std::move(pins));
    backend.actions =
        std::make_shared<storage::BankActions>(*backend.bank, wall_clock_seconds, config.loans);
    return backend;
}

void run_threads(net::io_context& io, unsigned count) {
    std::vector<std::thread> threads;
    threads.reserve(count - 1);
    for (unsigned index = 1; index < count; ++index) threads.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& thread : threads) thread.join();
}

int run_serve(const ServeOptions& options) {
    const std::optional<Config> config = read_config(options);
    if (!config) return exit_bad_config;
    spdlog::set_level(spdlog::level::from_str(config->log_level));
    const auto menu = read_menu(*config);
    if (!menu) return exit_bad_config;

    const unsigned threads = config->effective_threads();
    net::io_context io(static_cast<int>(threads));
    // Declared after io, so destroyed before it: the Store finishes its queued writes in its
    // destructor and posts their completions to io, which must still exist then.
    std::optional<ActionBackend> backend = open_actions(*config);
    if (!backend) return exit_cannot_serve;
    auto store = make_store(*config, io);
    auto menus = std::make_shared<adapters::MenuSource>(
        menu, adapters::MenuSourceSettings{.retain_for = config->session_timeout});
    auto router = std::make_shared<adapters::Router>();
    adapters::add_health_routes(*router, store);
    adapters::add_ussd_routes(
        *router, adapters::HopServices{.menus = menus,
                                       .store = store,
                                       .actions = backend->actions,
                                       .settings = {.hop_budget = config->hop_budget,
                                                    .session_ttl = config->session_timeout}});
    adapters::HttpServer server(io, config->http, router);
    if (const auto ec = server.start()) {
        std::cerr << "hodi serve: cannot listen on " << config->http.address << ':'
                  << config->http.port << ": " << ec.message() << '\n';
        return exit_cannot_serve;
    }
    // The outbox drainer carries out what the bank queued, including rows left by a crash.
    std::optional<adapters::OutboxDrainer> drainer;
    if (backend->store) {
        const auto sandbox = std::make_shared<adapters::SandboxSender>(
            adapters::SandboxSettings{.delay = config->sandbox_delay});
        drainer.emplace(io.get_executor(), *backend->store,
                        adapters::DrainerSettings{.poll = config->outbox_poll},
                        adapters::Senders::all(sandbox), wall_clock_seconds);
        drainer->start();
        net::co_spawn(io, sweep_overdue_loans(backend->store.get()), net::detached);
    }
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        spdlog::info("hodi: signal {} received; finishing in-flight requests", signal_number);
        if (drainer) drainer->stop();
        server.shutdown([&io] { io.stop(); });
    });
    const std::string url =
        "http://" + config->http.address + ':' + std::to_string(server.port());
    spdlog::info("hodi listening on {} ({} threads, menu '{}' from {}, {} sessions, {}); "
                 "dial it with: hodi sim --url {}/ussd/at",
                 url, threads, menu->name, config->menu.string(),
                 config->sessions == SessionBackend::redis ? "redis" : "memory",
                 backend->store ? "bank " + config->database.string() : "demo actions", url);
    run_threads(io, threads);
    spdlog::info("hodi stopped");
    return 0;
}

}  // namespace

void add_serve_command(CLI::App& cli, int& exit_code) {
    auto options = std::make_shared<ServeOptions>();
    CLI::App* serve = cli.add_subcommand("serve", "Serve AT USSD callbacks over HTTP");
    serve->add_option("--config", options->config_file,
                      "YAML configuration file (see examples/hodi.yaml); default: HODI_CONFIG");
    serve->add_option("--listen", options->listen,
                      "HOST:PORT to listen on (default 127.0.0.1:8080)");
    serve->callback([options, &exit_code] { exit_code = run_serve(*options); });
}

}  // namespace hodi::app
