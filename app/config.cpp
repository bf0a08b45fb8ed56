// Reading hodi's configuration from YAML and HODI_* variables, with checks that name the key.
#include "app/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <thread>

namespace hodi::app {

namespace {

constexpr std::size_t body_limit_max = 16 * 1024 * 1024;
constexpr std::size_t header_limit_min = 1024;
constexpr std::size_t header_limit_max = 64 * 1024;
constexpr unsigned threads_max = 1024;
constexpr std::size_t database_cache_min = 1024 * 1024;
constexpr std::size_t database_cache_max = std::size_t{16} * 1024 * 1024 * 1024;

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

// Splits "123unit" into the number and the unit.
std::optional<std::pair<std::uint64_t, std::string_view>> split_unit(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    const auto number = parse_number(text.substr(0, digits));
    if (!number) return std::nullopt;
    std::string_view unit = text.substr(digits);
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    return std::pair{*number, unit};
}

// Applies one setting, given as text, to `config`; `where` prefixes error messages.
using Setter = void (*)(Config&, const std::string&, const std::string& where);

[[noreturn]] void fail(const std::string& where, const std::string& message) {
    throw ConfigError(where + ": " + message);
}

std::chrono::milliseconds duration(const std::string& text, const std::string& where) {
    const auto value = parse_duration(text);
    if (!value || value->count() <= 0) {
        fail(where, "expected a positive duration such as 200ms, 10s or 3m, got '" + text + "'");
    }
    return *value;
}

std::size_t size_in(const std::string& text, const std::string& where, std::size_t min,
                    std::size_t max) {
    const auto value = parse_size(text);
    if (!value || *value < min || *value > max) {
        fail(where, "expected a size from " + std::to_string(min) + " to " + std::to_string(max) +
                        " bytes (e.g. 16KiB), got '" + text + "'");
    }
    return *value;
}

std::uint64_t count_in(const std::string& text, const std::string& where, std::uint64_t min,
                       std::uint64_t max) {
    const auto value = parse_number(text);
    if (!value || *value < min || *value > max) {
        fail(where, "expected a whole number from " + std::to_string(min) + " to " +
                        std::to_string(max) + ", got '" + text + "'");
    }
    return *value;
}

void set_threads(Config& c, const std::string& v, const std::string& w) {
    c.threads = static_cast<unsigned>(count_in(v, w, 0, threads_max));
}
void set_menu(Config& c, const std::string& v, const std::string& w) {
    if (v.empty()) fail(w, "the menu file must not be empty");
    c.menu = v;
}
void set_log_level(Config& c, const std::string& v, const std::string& w) {
    for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
        if (v == level) {
            c.log_level = v;
            return;
        }
    }
    fail(w, "expected trace, debug, info, warn, error or off, got '" + v + "'");
}
void set_sessions(Config& c, const std::string& v, const std::string& w) {
    if (v == "memory") {
        c.sessions = SessionBackend::memory;
    } else if (v == "redis") {
        c.sessions = SessionBackend::redis;
    } else {
        fail(w, "expected memory or redis, got '" + v + "'");
    }
}
void set_session_timeout(Config& c, const std::string& v, const std::string& w) {
    if (v == "0") {
        c.session_timeout = std::chrono::seconds(0);
        return;
    }
    c.session_timeout = std::chrono::duration_cast<std::chrono::seconds>(duration(v, w));
    if (c.session_timeout.count() == 0) fail(w, "a session timeout is whole seconds (or 0)");
}
void set_max_sessions(Config& c, const std::string& v, const std::string& w) {
    c.max_sessions = count_in(v, w, 1, 100'000'000);
}
void set_hop_budget(Config& c, const std::string& v, const std::string& w) {
    c.hop_budget = duration(v, w);
    // AT gives up after 15 s (PROTOCOLS.md §1.5); a budget that long would answer nobody.
    if (c.hop_budget >= std::chrono::seconds(15)) fail(w, "the hop budget must be under 15s");
}
void set_listen_value(Config& c, const std::string& v, const std::string& w) {
    set_listen(c, v, w);
}
void set_body_limit(Config& c, const std::string& v, const std::string& w) {
    c.http.body_limit = size_in(v, w, 1, body_limit_max);
}
void set_header_limit(Config& c, const std::string& v, const std::string& w) {
    c.http.header_limit = size_in(v, w, header_limit_min, header_limit_max);
}
void set_read_timeout(Config& c, const std::string& v, const std::string& w) {
    c.http.read_timeout = duration(v, w);
}
void set_idle_timeout(Config& c, const std::string& v, const std::string& w) {
    c.http.idle_timeout = duration(v, w);
}
void set_shutdown_grace(Config& c, const std::string& v, const std::string& w) {
    c.http.shutdown_grace = duration(v, w);
}
void set_redis_url(Config& c, const std::string& v, const std::string& w) {
    try {
        c.redis = storage::parse_redis_url(v, c.redis);
    } catch (const std::invalid_argument& error) {
        fail(w, error.what());
    }
}
void set_redis_command_timeout(Config& c, const std::string& v, const std::string& w) {
    c.redis.command_timeout = duration(v, w);
}
void set_redis_connect_timeout(Config& c, const std::string& v, const std::string& w) {
    c.redis.connect_timeout = duration(v, w);
}
void set_redis_key_prefix(Config& c, const std::string& v, const std::string&) {
    c.redis.key_prefix = v;
}

void set_actions(Config& c, const std::string& v, const std::string& w) {
    if (v == "bank") {
        c.actions = ActionsBackend::bank;
    } else if (v == "demo") {
        c.actions = ActionsBackend::demo;
    } else {
        fail(w, "expected bank or demo, got '" + v + "'");
    }
}
void set_database(Config& c, const std::string& v, const std::string& w) {
    if (v.empty()) fail(w, "the database path must not be empty");
    c.database = v;
}
void set_pin_pepper_file(Config& c, const std::string& v, const std::string& w) {
    if (v.empty()) fail(w, "the PIN pepper file path must not be empty");
    c.pin_pepper_file = v;
}
void set_database_cache(Config& c, const std::string& v, const std::string& w) {
    c.database_cache = size_in(v, w, database_cache_min, database_cache_max);
}
void set_pin_hash_cost(Config& c, const std::string& v, const std::string& w) {
    if (v == "interactive") {
        c.pin_hash_cost = PinHashCost::interactive;
    } else if (v == "minimum") {
        c.pin_hash_cost = PinHashCost::minimum;
    } else {
        fail(w, "expected interactive or minimum, got '" + v + "'");
    }
}
void set_payments(Config& c, const std::string& v, const std::string& w) {
    if (v != "sandbox") fail(w, "expected sandbox (the only payments mode yet), got '" + v + "'");
    c.payments = Payments::sandbox;
}
void set_sandbox_delay(Config& c, const std::string& v, const std::string& w) {
    const auto value = parse_duration(v);
    if (!value) fail(w, "expected a duration such as 0s, 500ms or 2s, got '" + v + "'");
    c.sandbox_delay = *value;
}
void set_outbox_poll(Config& c, const std::string& v, const std::string& w) {
    c.outbox_poll = duration(v, w);
}

struct Key {
    std::string_view yaml;  ///< dotted path in the YAML file
    std::string_view env;   ///< HODI_* variable
    Setter set;
};

constexpr Key keys[] = {
    {"listen", "HODI_LISTEN", set_listen_value},
    {"threads", "HODI_THREADS", set_threads},
    {"menu", "HODI_MENU", set_menu},
    {"log_level", "HODI_LOG_LEVEL", set_log_level},
    {"sessions", "HODI_SESSIONS", set_sessions},
    {"session_timeout", "HODI_SESSION_TIMEOUT", set_session_timeout},
    {"max_sessions", "HODI_MAX_SESSIONS", set_max_sessions},
    {"hop_budget", "HODI_HOP_BUDGET", set_hop_budget},
    {"http.body_limit", "HODI_BODY_LIMIT", set_body_limit},
    {"http.header_limit", "HODI_HEADER_LIMIT", set_header_limit},
    {"http.read_timeout", "HODI_READ_TIMEOUT", set_read_timeout},
    {"http.idle_timeout", "HODI_IDLE_TIMEOUT", set_idle_timeout},
    {"http.shutdown_grace", "HODI_SHUTDOWN_GRACE", set_shutdown_grace},
    {"redis.url", "HODI_REDIS_URL", set_redis_url},
    {"redis.command_timeout", "HODI_REDIS_COMMAND_TIMEOUT", set_redis_command_timeout},
    {"redis.connect_timeout", "HODI_REDIS_CONNECT_TIMEOUT", set_redis_connect_timeout},
    {"redis.key_prefix", "HODI_REDIS_KEY_PREFIX", set_redis_key_prefix},
    {"actions", "HODI_ACTIONS", set_actions},
    {"database", "HODI_DATABASE", set_database},
    {"database_cache", "HODI_DATABASE_CACHE", set_database_cache},
    {"pin_pepper_file", "HODI_PIN_PEPPER_FILE", set_pin_pepper_file},
    {"pin_hash_cost", "HODI_PIN_HASH_COST", set_pin_hash_cost},
    {"payments.mode", "HODI_PAYMENTS", set_payments},
    {"payments.sandbox_delay", "HODI_SANDBOX_DELAY", set_sandbox_delay},
    {"payments.outbox_poll", "HODI_OUTBOX_POLL", set_outbox_poll},
};

std::string place(const std::string& file, const YAML::Mark& mark) {
    return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

const Key* find_key(std::string_view path) {
    for (const Key& key : keys) {
        if (key.yaml == path) return &key;
    }
    return nullptr;
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
            bool known_section = false;
            for (const Key& key : keys) known_section |= key.yaml.starts_with(name + ".");
            if (!known_section) fail(where, "unknown section '" + name + "'");
            apply_yaml(config, value, name + ".", file);
            continue;
        }
        const Key* key = find_key(name);
        if (key == nullptr) fail(where, "unknown key '" + name + "'");
        if (!value.IsScalar()) fail(place(file, value.Mark()), "'" + name + "' needs a value");
        key->set(config, value.Scalar(), place(file, value.Mark()));
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

void set_listen(Config& config, std::string_view host_port, std::string_view source) {
    const std::size_t colon = host_port.rfind(':');
    const std::string where(source);
    if (colon == std::string_view::npos || colon == 0) {
        fail(where, "expected HOST:PORT such as 127.0.0.1:8080, got '" +
                        std::string(host_port) + "'");
    }
    std::string_view host = host_port.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);  // [::1]:8080
    }
    const auto port = parse_number(host_port.substr(colon + 1));
    if (!port || *port > 65535) {
        fail(where, "expected a port from 0 to 65535 in '" + std::string(host_port) + "'");
    }
    config.http.address = std::string(host);
    config.http.port = static_cast<std::uint16_t>(*port);
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    const auto parts = split_unit(text);
    if (!parts) return std::nullopt;
    const auto [number, unit] = *parts;
    if (number > 1'000'000'000ULL) return std::nullopt;
    const auto value = static_cast<std::int64_t>(number);
    if (unit == "ms") return std::chrono::milliseconds(value);
    if (unit.empty() || unit == "s") return std::chrono::seconds(value);
    if (unit == "m") return std::chrono::minutes(value);
    if (unit == "h") return std::chrono::hours(value);
    return std::nullopt;
}

std::optional<std::size_t> parse_size(std::string_view text) {
    const auto parts = split_unit(text);
    if (!parts) return std::nullopt;
    const auto [number, unit] = *parts;
    if (number > (1ULL << 40)) return std::nullopt;
    if (unit.empty() || unit == "B") return number;
    if (unit == "KiB" || unit == "KB" || unit == "K") return number * 1024;
    if (unit == "MiB" || unit == "MB" || unit == "M") return number * 1024 * 1024;
    return std::nullopt;
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
    for (const Key& key : keys) {
        if (auto value = environment(key.env)) key.set(config, *value, std::string(key.env));
    }
    // The pepper is a secret: only the environment may carry it, never a config file.
    if (auto pepper = environment("HODI_PIN_PEPPER"); pepper && !pepper->empty()) {
        config.pin_pepper = *pepper;
    }
    return config;
}

}  // namespace hodi::app
