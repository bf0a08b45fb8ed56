// hodi's configuration: defaults, then a YAML file (examples/hodi.yaml documents every key),
// then HODI_* environment variables, then command-line flags. Read once at startup.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "adapters/callback_guard.hpp"
#include "adapters/daraja/daraja_client.hpp"
#include "adapters/daraja/daraja_senders.hpp"
#include "adapters/http_server.hpp"
#include "adapters/ussd_hop.hpp"
#include "adapters/outbox_drainer.hpp"
#include "app/paths.hpp"
#include "storage/bank/actions/bank_action_jobs.hpp"
#include "storage/bank/money/loan_settings.hpp"
#include "storage/bank/sql/store.hpp"
#include "storage/memory_session_store.hpp"
#include "storage/redis_settings.hpp"

namespace YAML {
class Node;
}

namespace hodi::app {

// Who carries out the outbox's M-Pesa legs (STK push, B2C payout).
enum class Payments : std::uint8_t {
    // No money really moves: a fake Daraja inside hodi serve (payments.sandbox_listen) answers
    // as Daraja does and calls hodi back after `sandbox_delay`, so the whole money loop runs on
    // a machine with no Daraja account. Logged loudly at start.
    sandbox,
    // Safaricom's Daraja at daraja.base_url, with real credentials: real money moves.
    daraja,
};

// How expensive a PIN hash is. Anything but interactive is for tests and benchmarks.
enum class PinHashCost : std::uint8_t {
    interactive,  ///< libsodium's interactive argon2id limits (default)
    minimum,      ///< the least libsodium accepts: fast and weak; logged as a warning
};

// What answers the menus' actions.
enum class ActionsBackend : std::uint8_t {
    bank,  ///< the SQLite bank at BankSettings::store (default)
    demo,  ///< fixed data, nothing stored (storage/demo_actions.hpp): for trying out menus
};

enum class SessionBackend : std::uint8_t {
    memory,  ///< in this process (default): zero setup, lost on restart, one node only
    redis,   ///< shared by every node; settings in SessionSettings::redis
};

// Which session store serves hops, and the settings of each.
struct SessionSettings {
    SessionBackend backend = SessionBackend::memory;  ///< `sessions`
    storage::MemorySessionStoreSettings memory;        ///< `max_sessions`
    storage::RedisSettings redis;                      ///< `redis.*`, used with backend redis
};

// What answers the menus' actions and, for the bank, where its SQLite file is.
struct BankSettings {
    ActionsBackend actions = ActionsBackend::bank;  ///< `actions`
    // `database` (created with its folder when missing) and `database_cache`, SQLite's page
    // cache for each bank connection.
    storage::StoreSettings store{.path = default_database_path,
                                 .page_cache_bytes = storage::default_page_cache_bytes};
};

// How PINs are hashed: the pepper mixed into each, and the argon2 cost.
struct PinHashSettings {
    // The server-side secret mixed into every PIN hash; created (random, mode 0600) when
    // missing. HODI_PIN_PEPPER, when set, is the pepper itself and the file is not read.
    std::filesystem::path pepper_file = default_pin_pepper_path;  ///< `pin_pepper_file`
    std::optional<std::string> pepper;  ///< from HODI_PIN_PEPPER only, never from YAML
    PinHashCost cost = PinHashCost::interactive;  ///< `pin_hash_cost`
};

// How hodi reaches Daraja and how Daraja reaches hodi (`daraja.*`). Secrets (consumer key and
// secret, passkey, initiator password) come from HODI_DARAJA_* variables only, never a file.
struct DarajaConfig {
    adapters::daraja::DarajaSettings api;  ///< base_url, shortcodes, initiator, call_deadline
    std::optional<std::string> initiator_password;  ///< HODI_DARAJA_INITIATOR_PASSWORD
    std::optional<std::filesystem::path> certificate;  ///< Safaricom's public key (PEM)
    // The public https base Daraja calls hodi at, e.g. "https://pay.example.com"; the routes
    // /daraja/TOKEN/... are appended to it.
    std::string public_url;
    // The path token and source allowlist of the callback routes. Without a token one is
    // created in `callback_token_file` (by default beside the bank's database, which it must
    // follow when the bank moves); the allowlist defaults to Safaricom's published callback
    // addresses in daraja mode and loopback in the sandbox.
    adapters::CallbackAuthSettings callbacks;
    std::filesystem::path callback_token_file;
    std::optional<std::filesystem::path> ca_file;  ///< trusted roots; default the system's
    adapters::daraja::MpesaSenderSettings senders;  ///< account_reference, first_check
};

// Who carries out the outbox's M-Pesa legs, and how the drainer paces them.
struct PaymentSettings {
    Payments mode = Payments::sandbox;               ///< `payments.mode`
    std::chrono::milliseconds sandbox_delay{2'000};  ///< how long a sandbox leg "takes"
    // `payments.prompts_per_phone_per_hour`: M-Pesa prompts top-ups may send one phone.
    int prompts_per_phone_per_hour = storage::mpesa_prompts_per_phone_per_hour;
    // `payments.outbox_poll`, `payments.send_deadline` and `payments.outbox_lease`; the lease
    // must outlast the longest pass (adapters::longest_pass), which load_config checks.
    adapters::DrainerSettings outbox;
    DarajaConfig daraja;
    // The sandbox's Daraja: a real HTTP server on loopback (`payments.sandbox_listen`; port 0
    // picks one) that answers as Daraja does and calls hodi back after `sandbox_delay`.
    std::string sandbox_address = "127.0.0.1";
    std::uint16_t sandbox_port = 8091;
};

// Who may reach the Africa's Talking callbacks (`at.*`). Secure by default: with neither a
// token nor an allowlist, load_config refuses a listen address other than loopback unless
// `insecure_open` says that is meant.
struct AtSettings {
    adapters::CallbackAuthSettings callbacks;  ///< `at.callback_token`, `at.allow_from`
    bool insecure_open = false;                ///< `at.insecure_open`
};

// Everything `hodi serve` runs with, one Settings struct per component. Plain values: the
// Node (app/node.hpp) hands each component its own part.
struct Config {
    unsigned threads = 0;            ///< network threads; 0 means one per core
    std::string log_level = "info";  ///< trace, debug, info, warn, error, off
    // The menu file, taken as it is (relative to the working directory). Unset: the shipped
    // menu, looked for by locate_menu (app/paths.hpp).
    std::optional<std::filesystem::path> menu;
    // Where the HTTP server listens (`listen`) and its limits and timeouts (`http.*`).
    adapters::HttpServerSettings http;
    AtSettings at;
    // The hop deadline (`hop_budget`, under AT's 15 s) and how long a session lives after its
    // last hop (`session_timeout`, session_ttl here; 0: the menu's session_timeout).
    adapters::UssdSettings ussd;
    SessionSettings sessions;
    BankSettings bank;
    PinHashSettings pins;
    PaymentSettings payments;
    storage::LoanSettings loans;  ///< products and score limits (`loans:`)

    unsigned effective_threads() const;  ///< threads, or the core count when 0
};

// A configuration hodi cannot run with. The message names the source and the key, e.g.
// "hodi.yaml:3:1: unknown key 'lisen'" or
// "HODI_THREADS: expected a whole number from 0 to 1024, got 'x'".
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Looks up an environment variable; tests pass a map instead of the process environment.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment process_environment();

// Defaults, overridden by `file` when given (else by HODI_CONFIG when set), then by HODI_*
// variables. Throws ConfigError.
Config load_config(const std::optional<std::filesystem::path>& file,
                   const Environment& environment = process_environment());

// Reads the `loans:` section (products, score limits) into `loans`; throws ConfigError naming
// file:line:col. Lives in app/config_loans.cpp.
void apply_loans_yaml(storage::LoanSettings& loans, const YAML::Node& section,
                      const std::string& file);

// "HOST:PORT" into config.http; throws ConfigError naming `source`.
void set_listen(Config& config, std::string_view host_port, std::string_view source);

// "200ms", "10s", "3m", "1h"; a bare number is seconds. nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// "16384", "16KiB", "1MiB" (also KB/MB, meaning the same powers of two). nullopt when malformed.
std::optional<std::size_t> parse_size(std::string_view text);

}  // namespace hodi::app
