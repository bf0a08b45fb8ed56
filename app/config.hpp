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

#include "adapters/http_server.hpp"
#include "storage/bank/money/loan_settings.hpp"
#include "storage/redis_settings.hpp"

namespace YAML {
class Node;
}

namespace hodi::app {

// Who carries out the outbox's M-Pesa legs (STK push, B2C payout).
enum class Payments : std::uint8_t {
    // No money really moves: every leg is completed as successful, after `sandbox_delay`, so the
    // whole money loop runs on a machine with no Daraja account. Logged loudly at start.
    sandbox,
};

// How expensive a PIN hash is. Anything but interactive is for tests and benchmarks.
enum class PinHashCost : std::uint8_t {
    interactive,  ///< libsodium's interactive argon2id limits (default)
    minimum,      ///< the least libsodium accepts: fast and weak; logged as a warning
};

// What answers the menus' actions.
enum class ActionsBackend : std::uint8_t {
    bank,  ///< the SQLite bank at Config::database (default)
    demo,  ///< fixed data, nothing stored (storage/demo_actions.hpp): for trying out menus
};

enum class SessionBackend : std::uint8_t {
    memory,  ///< in this process (default): zero setup, lost on restart, one node only
    redis,   ///< shared by every node; settings in Config::redis
};

struct Config {
    // Where the HTTP server listens (http.address and http.port) and its limits and timeouts.
    adapters::HttpServerSettings http;
    unsigned threads = 0;                       ///< network threads; 0 means one per core
    std::filesystem::path menu = "menus/hodi.yaml";  ///< relative to the working directory
    std::string log_level = "info";             ///< trace, debug, info, warn, error, off
    SessionBackend sessions = SessionBackend::memory;
    std::chrono::seconds session_timeout{0};    ///< 0: the menu's session_timeout
    std::size_t max_sessions = 1'000'000;       ///< memory store bound
    std::chrono::milliseconds hop_budget{5'000};  ///< whole-hop deadline, < AT's 15 s
    storage::RedisSettings redis;               ///< used when sessions is redis
    ActionsBackend actions = ActionsBackend::bank;
    std::filesystem::path database = "var/hodi.db";  ///< the SQLite bank, created when missing
    /// SQLite's page cache for each bank connection (storage::default_page_cache_bytes)
    std::size_t database_cache = std::size_t{64} * 1024 * 1024;
    // The server-side secret mixed into every PIN hash; created (random, mode 0600) when missing.
    // HODI_PIN_PEPPER, when set, is the pepper itself and the file is not read.
    std::filesystem::path pin_pepper_file = "var/pin_pepper";
    std::optional<std::string> pin_pepper;      ///< from HODI_PIN_PEPPER only, never from YAML
    PinHashCost pin_hash_cost = PinHashCost::interactive;
    Payments payments = Payments::sandbox;
    std::chrono::milliseconds sandbox_delay{2'000};  ///< how long a sandbox leg "takes"
    std::chrono::milliseconds outbox_poll{500};  ///< how often the drainer looks for due rows
    storage::LoanSettings loans;                ///< products and score limits (`loans:`)

    unsigned effective_threads() const;  ///< threads, or the core count when 0
};

// A configuration hodi cannot run with. The message names the source and the key, e.g.
// "hodi.yaml:3:1: unknown key 'lisen'" or "HODI_THREADS: not a number: 'x'".
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
