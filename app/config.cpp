// Reading hodi's configuration from YAML and HODI_* variables through one table: each key is a
// row naming its YAML path, its variable, how its text is read, and the Settings field it sets.
#include "app/config.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include "app/config_keys.hpp"
#include "app/config_parsers.hpp"

namespace hodi::app {

namespace {

using namespace config_parsers;
using config_keys::Key;
using config_keys::key;

constexpr std::size_t body_limit_max = 16 * 1024 * 1024;
constexpr std::size_t header_limit_min = 1024;
constexpr std::size_t header_limit_max = 64 * 1024;
constexpr unsigned threads_max = 1024;
constexpr std::uint64_t max_sessions_max = 100'000'000;
constexpr std::size_t database_cache_min = 1024 * 1024;
constexpr std::size_t database_cache_max = std::size_t{16} * 1024 * 1024 * 1024;

void add_node_keys(std::vector<Key>& keys) {
    keys.push_back(key("threads", "HODI_THREADS", whole_in(0U, threads_max),
                       [](Config& c) -> auto& { return c.threads; }));
    keys.push_back(key("menu", "HODI_MENU", path_to("menu file"),
                       [](Config& c) -> auto& { return c.menu; }));
    keys.push_back(key(
        "log_level", "HODI_LOG_LEVEL",
        one_of<std::string>({{"trace", "trace"}, {"debug", "debug"}, {"info", "info"},
                             {"warn", "warn"}, {"error", "error"}, {"off", "off"}},
                            "trace, debug, info, warn, error or off"),
        [](Config& c) -> auto& { return c.log_level; }));
}

void add_http_keys(std::vector<Key>& keys) {
    keys.push_back(key("listen", "HODI_LISTEN", host_port,
                       [](Config& c) { return std::tie(c.http.address, c.http.port); }));
    keys.push_back(key("http.body_limit", "HODI_BODY_LIMIT", size_in(1, body_limit_max),
                       [](Config& c) -> auto& { return c.http.body_limit; }));
    keys.push_back(key("http.header_limit", "HODI_HEADER_LIMIT",
                       size_in(header_limit_min, header_limit_max),
                       [](Config& c) -> auto& { return c.http.header_limit; }));
    keys.push_back(key("http.read_timeout", "HODI_READ_TIMEOUT", positive_duration,
                       [](Config& c) -> auto& { return c.http.read_timeout; }));
    keys.push_back(key("http.idle_timeout", "HODI_IDLE_TIMEOUT", positive_duration,
                       [](Config& c) -> auto& { return c.http.idle_timeout; }));
    keys.push_back(key("http.shutdown_grace", "HODI_SHUTDOWN_GRACE", positive_duration,
                       [](Config& c) -> auto& { return c.http.shutdown_grace; }));
    keys.push_back(key("http.access_log", "HODI_ACCESS_LOG",
                       one_of<adapters::HttpServerSettings::AccessLog>(
                           {{"off", adapters::HttpServerSettings::AccessLog::off},
                            {"text", adapters::HttpServerSettings::AccessLog::text},
                            {"json", adapters::HttpServerSettings::AccessLog::json}},
                           "off, text or json"),
                       [](Config& c) -> auto& { return c.http.access_log; }));
    keys.push_back(key("http.first_byte_timeout", "HODI_FIRST_BYTE_TIMEOUT", positive_duration,
                       [](Config& c) -> auto& { return c.http.first_byte_timeout; }));
    keys.push_back(key("http.connections_max", "HODI_CONNECTIONS_MAX",
                       whole_in(std::size_t{0}, std::size_t{10'000'000}),
                       [](Config& c) -> auto& { return c.http.connections_max; }));
    keys.push_back(key("http.connections_per_peer_max", "HODI_CONNECTIONS_PER_PEER_MAX",
                       whole_in(std::size_t{0}, std::size_t{10'000'000}),
                       [](Config& c) -> auto& { return c.http.connections_per_peer_max; }));
}

void add_callback_keys(std::vector<Key>& keys) {
    keys.push_back(key("http.client_header", "HODI_CLIENT_HEADER", header_name,
                       [](Config& c) -> auto& { return c.http.client_header; }));
    keys.push_back(key("http.trusted_proxies", "HODI_TRUSTED_PROXIES", address_ranges,
                       [](Config& c) -> auto& { return c.http.trusted_proxies; }));
    keys.back().list = true;
    keys.push_back(key("at.callback_token", "HODI_AT_CALLBACK_TOKEN", callback_token,
                       [](Config& c) -> auto& { return c.at.callbacks.token; }));
    keys.push_back(key("at.allow_from", "HODI_AT_ALLOW_FROM", address_ranges,
                       [](Config& c) -> auto& { return c.at.callbacks.allow_from; }));
    keys.back().list = true;
    keys.push_back(key("at.insecure_open", "HODI_AT_INSECURE_OPEN", true_or_false,
                       [](Config& c) -> auto& { return c.at.insecure_open; }));
}

void add_session_keys(std::vector<Key>& keys) {
    keys.push_back(key("sessions", "HODI_SESSIONS",
                       one_of<SessionBackend>({{"memory", SessionBackend::memory},
                                               {"redis", SessionBackend::redis}},
                                              "memory or redis"),
                       [](Config& c) -> auto& { return c.sessions.backend; }));
    keys.push_back(key("session_timeout", "HODI_SESSION_TIMEOUT", session_timeout,
                       [](Config& c) -> auto& { return c.ussd.session_ttl; }));
    keys.push_back(key("max_sessions", "HODI_MAX_SESSIONS",
                       whole_in(std::uint64_t{1}, max_sessions_max),
                       [](Config& c) -> auto& { return c.sessions.memory.max_sessions; }));
    keys.push_back(key("hop_budget", "HODI_HOP_BUDGET", hop_budget,
                       [](Config& c) -> auto& { return c.ussd.hop_budget; }));
    keys.push_back(key("limits.hops_per_phone_per_minute", "HODI_HOPS_PER_PHONE_PER_MINUTE",
                       whole_in(0U, 100'000U),
                       [](Config& c) -> auto& { return c.ussd.limits.hops_per_phone_per_minute; }));
    keys.push_back(key("limits.hops_in_flight_max", "HODI_HOPS_IN_FLIGHT_MAX",
                       whole_in(std::size_t{0}, std::size_t{10'000'000}),
                       [](Config& c) -> auto& { return c.ussd.limits.in_flight_max; }));
    keys.push_back(key("limits.registrations_per_source_per_minute",
                       "HODI_REGISTRATIONS_PER_SOURCE_PER_MINUTE", whole_in(0U, 1'000'000U),
                       [](Config& c) -> auto& {
                           return c.ussd.limits.registrations_per_source_per_minute;
                       }));
    keys.push_back(key("redis.url", "HODI_REDIS_URL", redis_url,
                       [](Config& c) -> auto& { return c.sessions.redis; }));
    keys.push_back(key("redis.command_timeout", "HODI_REDIS_COMMAND_TIMEOUT", positive_duration,
                       [](Config& c) -> auto& { return c.sessions.redis.command_timeout; }));
    keys.push_back(key("redis.connect_timeout", "HODI_REDIS_CONNECT_TIMEOUT", positive_duration,
                       [](Config& c) -> auto& { return c.sessions.redis.connect_timeout; }));
    keys.push_back(key("redis.claim_sessions", "HODI_REDIS_CLAIM_SESSIONS", true_or_false,
                       [](Config& c) -> auto& { return c.sessions.redis.claim_sessions; }));
    keys.push_back(key("redis.key_prefix", "HODI_REDIS_KEY_PREFIX", any_text,
                       [](Config& c) -> auto& { return c.sessions.redis.key_prefix; }));
}

void add_bank_keys(std::vector<Key>& keys) {
    keys.push_back(key("actions", "HODI_ACTIONS",
                       one_of<ActionsBackend>({{"bank", ActionsBackend::bank},
                                               {"demo", ActionsBackend::demo}},
                                              "bank or demo"),
                       [](Config& c) -> auto& { return c.bank.actions; }));
    keys.push_back(key("database", "HODI_DATABASE", path_to("database path"),
                       [](Config& c) -> auto& { return c.bank.store.path; }));
    keys.push_back(key("database_cache", "HODI_DATABASE_CACHE",
                       size_in(database_cache_min, database_cache_max),
                       [](Config& c) -> auto& { return c.bank.store.page_cache_bytes; }));
    keys.push_back(key("pin_pepper_file", "HODI_PIN_PEPPER_FILE", path_to("PIN pepper file path"),
                       [](Config& c) -> auto& { return c.pins.pepper_file; }));
    keys.push_back(key("pin_hash_cost", "HODI_PIN_HASH_COST",
                       one_of<PinHashCost>({{"interactive", PinHashCost::interactive},
                                            {"minimum", PinHashCost::minimum}},
                                           "interactive or minimum"),
                       [](Config& c) -> auto& { return c.pins.cost; }));
}

void add_payment_keys(std::vector<Key>& keys) {
    keys.push_back(key("payments.mode", "HODI_PAYMENTS",
                       one_of<Payments>({{"sandbox", Payments::sandbox},
                                         {"daraja", Payments::daraja}},
                                        "sandbox or daraja"),
                       [](Config& c) -> auto& { return c.payments.mode; }));
    keys.push_back(key("payments.sandbox_delay", "HODI_SANDBOX_DELAY", any_duration,
                       [](Config& c) -> auto& { return c.payments.sandbox_delay; }));
    keys.push_back(key("payments.prompts_per_phone_per_hour", "HODI_PROMPTS_PER_PHONE_PER_HOUR",
                       whole_in(0U, 1'000U),
                       [](Config& c) -> auto& { return c.payments.prompts_per_phone_per_hour; }));
    keys.push_back(key("payments.outbox_poll", "HODI_OUTBOX_POLL", positive_duration,
                       [](Config& c) -> auto& { return c.payments.outbox.poll; }));
    keys.push_back(key("payments.send_deadline", "HODI_SEND_DEADLINE", positive_duration,
                       [](Config& c) -> auto& { return c.payments.outbox.send_deadline; }));
    keys.push_back(key("payments.outbox_lease", "HODI_OUTBOX_LEASE", positive_duration,
                       [](Config& c) -> auto& { return c.payments.outbox.claim_lease; }));
}

// Every key, grouped by the component it configures. The `loans:` section has its own reader
// (config_loans.cpp): its values are lists, not one text each.
const std::vector<Key>& keys() {
    static const std::vector<Key> table = [] {
        std::vector<Key> rows;
        add_node_keys(rows);
        add_http_keys(rows);
        add_callback_keys(rows);
        add_session_keys(rows);
        add_bank_keys(rows);
        add_payment_keys(rows);
        config_keys::add_daraja_keys(rows);
        return rows;
    }();
    return table;
}

std::string place(const std::string& file, const YAML::Mark& mark) {
    return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

const Key* find_key(std::string_view path) {
    for (const Key& key : keys()) {
        if (key.yaml == path) return &key;
    }
    return nullptr;
}

bool is_section(const std::string& name) {
    return std::any_of(keys().begin(), keys().end(),
                       [&name](const Key& key) { return key.yaml.starts_with(name + "."); });
}

// A sequence of scalars as one comma-separated text, for a key that takes a list.
std::string joined_items(const YAML::Node& sequence, const std::string& name,
                         const std::string& file) {
    std::string text;
    for (const auto& item : sequence) {
        if (!item.IsScalar() || item.Scalar().find(',') != std::string::npos) {
            fail(place(file, item.Mark()), "'" + name + "' takes a list of single values");
        }
        if (!text.empty()) text.push_back(',');
        text.append(item.Scalar());
    }
    return text;
}

// Applies a YAML mapping; nested mappings ("http:", "redis:") extend the dotted path.
void apply_yaml(Config& config, const YAML::Node& node, const std::string& prefix,
                const std::string& file) {
    for (const auto& entry : node) {
        const std::string name = prefix + entry.first.as<std::string>();
        const YAML::Node& value = entry.second;
        const std::string where = place(file, entry.first.Mark());
        if (name == "loans") {
            apply_loans_yaml(config.loans, value, file);
            continue;
        }
        if (value.IsMap()) {
            if (!is_section(name)) fail(where, "unknown section '" + name + "'");
            apply_yaml(config, value, name + ".", file);
            continue;
        }
        const Key* key = find_key(name);
        if (key == nullptr) fail(where, "unknown key '" + name + "'");
        if (key->list && value.IsSequence()) {
            key->apply(config, joined_items(value, name, file), place(file, value.Mark()));
            continue;
        }
        if (!value.IsScalar()) fail(place(file, value.Mark()), "'" + name + "' needs a value");
        key->apply(config, value.Scalar(), place(file, value.Mark()));
    }
}

void apply_file(Config& config, const std::filesystem::path& path) {
    const std::string file = path.string();
    YAML::Node root;
    try {
        root = YAML::LoadFile(file);
    } catch (const YAML::BadFile&) {
        throw ConfigError(file + ": cannot read the configuration file");
    } catch (const YAML::Exception& error) {
        fail(place(file, error.mark), error.msg);
    }
    if (root.IsNull()) return;  // an empty file keeps every default
    if (!root.IsMap()) fail(place(file, root.Mark()), "expected a mapping of settings");
    apply_yaml(config, root, "", file);
}

bool is_loopback(const std::string& address) {
    boost::system::error_code ec;
    const auto parsed = boost::asio::ip::make_address(address, ec);
    return !ec && adapters::unmapped(parsed).is_loopback();
}

// Anyone who can reach an unguarded /ussd/at acts as any phone; on loopback only this machine
// can, so that is the one place hodi serves unguarded without being told to.
void refuse_open_callbacks(const Config& config) {
    const adapters::CallbackAuthSettings& at = config.at.callbacks;
    if (at.token || !at.allow_from.empty() || config.at.insecure_open ||
        is_loopback(config.http.address)) {
        return;
    }
    throw ConfigError("listen: " + config.http.address +
                      " is reachable from other machines and the Africa's Talking callbacks "
                      "have neither at.callback_token nor at.allow_from, so anyone reaching "
                      "them could act as any phone; set one (or at.insecure_open: true)");
}

}  // namespace

unsigned Config::effective_threads() const {
    if (threads > 0) return threads;
    return std::max(1U, std::thread::hardware_concurrency());
}

Environment process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

Config load_config(const std::optional<std::filesystem::path>& file,
                   const Environment& environment) {
    Config config;
    std::optional<std::filesystem::path> path = file;
    if (!path) {
        if (auto from_env = environment("HODI_CONFIG"); from_env && !from_env->empty()) {
            path = *from_env;
        }
    }
    if (path) apply_file(config, *path);
    for (const Key& key : keys()) {
        if (auto value = environment(key.env)) key.apply(config, *value, std::string(key.env));
    }
    const adapters::DrainerSettings& outbox = config.payments.outbox;
    if (outbox.claim_lease <= adapters::longest_pass(outbox)) {
        throw ConfigError("payments.outbox_lease: " + std::to_string(outbox.claim_lease.count()) +
                          "ms is not longer than a pass can take (" +
                          std::to_string(adapters::longest_pass(outbox).count()) +
                          "ms with this send_deadline); raise it or lower send_deadline");
    }
    refuse_open_callbacks(config);
    config_keys::finish_daraja(config, environment);
    // The pepper is a secret: only the environment may carry it, never a config file.
    if (auto pepper = environment("HODI_PIN_PEPPER"); pepper && !pepper->empty()) {
        config.pins.pepper = *pepper;
    }
    return config;
}

}  // namespace hodi::app
