// Configuration: defaults, the YAML file, HODI_* overrides, and errors that name the key.
#include "app/config.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <vector>

#include "storage/bank/sql/schema.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::app {

namespace {

using namespace std::chrono_literals;

Environment environment(std::map<std::string, std::string> values) {
    return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
        const auto found = values.find(std::string(name));
        if (found == values.end()) return std::nullopt;
        return found->second;
    };
}

std::filesystem::path write(const test::TempDir& dir, std::string_view text) {
    const auto path = dir.path() / "hodi.yaml";
    std::ofstream(path) << text;
    return path;
}

// The ConfigError message load_config throws, or "" when it succeeds.
std::string error_of(const std::optional<std::filesystem::path>& file, const Environment& env) {
    try {
        load_config(file, env);
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

}  // namespace

TEST_CASE("without a file or variables every setting has its default") {
    // Goal: `hodi serve` works on a fresh machine. Method: load with nothing set.
    const Config config = load_config(std::nullopt, environment({}));
    CHECK(config.http.address == "127.0.0.1");
    CHECK(config.http.port == 8080);
    CHECK(config.http.body_limit == 16 * 1024);
    CHECK(config.http.header_limit == 8 * 1024);
    CHECK(config.http.read_timeout == 10s);
    CHECK_FALSE(config.menu.has_value());  // the shipped menu, found by locate_menu
    CHECK(config.sessions.backend == SessionBackend::memory);
    CHECK(config.ussd.session_ttl == 0s);
    CHECK(config.ussd.hop_budget == 5s);
    CHECK(config.log_level == "info");
    CHECK(config.effective_threads() >= 1);
}

TEST_CASE("the YAML file sets every key it names") {
    // Goal: the file is read, nested sections included. Method: a file setting most keys.
    test::TempDir dir;
    const auto path = write(dir, R"(
listen: 0.0.0.0:9090
at:
  insecure_open: true
threads: 3
menu: other.yaml
log_level: warn
sessions: redis
session_timeout: 2m
max_sessions: 500
hop_budget: 1500ms
http:
  body_limit: 4KiB
  header_limit: 2KiB
  read_timeout: 250ms
  idle_timeout: 30s
  shutdown_grace: 2s
redis:
  url: redis://10.0.0.5:6380/2
  command_timeout: 100ms
)");
    const Config config = load_config(path, environment({}));
    CHECK(config.http.address == "0.0.0.0");
    CHECK(config.http.port == 9090);
    CHECK(config.threads == 3);
    CHECK(config.menu == "other.yaml");
    CHECK(config.log_level == "warn");
    CHECK(config.sessions.backend == SessionBackend::redis);
    CHECK(config.ussd.session_ttl == 120s);
    CHECK(config.sessions.memory.max_sessions == 500);
    CHECK(config.ussd.hop_budget == 1500ms);
    CHECK(config.http.body_limit == 4096);
    CHECK(config.http.header_limit == 2048);
    CHECK(config.http.read_timeout == 250ms);
    CHECK(config.http.idle_timeout == 30s);
    CHECK(config.http.shutdown_grace == 2s);
    CHECK(config.sessions.redis.host == "10.0.0.5");
    CHECK(config.sessions.redis.port == 6380);
    CHECK(config.sessions.redis.db == 2);
    CHECK(config.sessions.redis.command_timeout == 100ms);
}

TEST_CASE("HODI_ variables override the file") {
    // Goal: containers configure hodi by environment. Method: a file and variables that
    // disagree; the variables win, HODI_CONFIG names the file.
    test::TempDir dir;
    const auto path = write(dir,
                            "listen: 127.0.0.1:7000\nthreads: 2\n"
                            "limits:\n  registrations_per_source_per_minute: 40\n");
    const Config config = load_config(
        std::nullopt, environment({{"HODI_CONFIG", path.string()},
                                   {"HODI_LISTEN", "127.0.0.1:7001"},
                                   {"HODI_MENU", "menus/test.yaml"},
                                   {"HODI_SESSION_TIMEOUT", "90"},
                                   {"HODI_BODY_LIMIT", "2048"},
                                   {"HODI_LOG_LEVEL", "debug"},
                                   {"HODI_REGISTRATIONS_PER_SOURCE_PER_MINUTE", "12"},
                                   {"HODI_PROMPTS_PER_PHONE_PER_HOUR", "3"},
                                   {"HODI_REDIS_CLAIM_SESSIONS", "false"}}));
    CHECK(config.http.port == 7001);
    CHECK(config.threads == 2);
    CHECK(config.menu == "menus/test.yaml");
    CHECK(config.ussd.session_ttl == 90s);
    CHECK(config.http.body_limit == 2048);
    CHECK(config.log_level == "debug");
    CHECK(config.ussd.limits.registrations_per_source_per_minute == 12);
    CHECK(config.payments.prompts_per_phone_per_hour == 3);
    CHECK_FALSE(config.sessions.redis.claim_sessions);
}

TEST_CASE("bad configuration is refused with a message naming the place") {
    // Goal: an operator's typo stops hodi with a clear reason. Method: one bad setting each,
    // from the file and from the environment.
    test::TempDir dir;
    CHECK(error_of(write(dir, "lisen: 1.2.3.4:80\n"), environment({})) ==
          (dir.path() / "hodi.yaml").string() + ":1:1: unknown key 'lisen'");
    CHECK(error_of(write(dir, "http:\n  body_limit: lots\n"), environment({}))
              .find("hodi.yaml:2:15: expected a size") != std::string::npos);
    CHECK(error_of(write(dir, "sessions: disk\n"), environment({})).find("memory or redis") !=
          std::string::npos);
    CHECK(error_of(write(dir, "hop_budget: 20s\n"), environment({})).find("under 15s") !=
          std::string::npos);
    CHECK(error_of(write(dir, "listen: [\n"), environment({})).find("hodi.yaml:") !=
          std::string::npos);
    CHECK(error_of(dir.path() / "missing.yaml", environment({})).find("cannot read") !=
          std::string::npos);
    CHECK(error_of(std::nullopt, environment({{"HODI_THREADS", "many"}})) ==
          "HODI_THREADS: expected a whole number from 0 to 1024, got 'many'");
    CHECK(error_of(std::nullopt, environment({{"HODI_LISTEN", "8080"}}))
              .starts_with("HODI_LISTEN: expected HOST:PORT"));
    CHECK(error_of(std::nullopt, environment({{"HODI_LISTEN", "127.0.0.1:70000"}})) != "");
}

TEST_CASE("durations and sizes read the units the example file uses") {
    // Goal: the documented units parse, others do not. Method: a table of texts.
    CHECK(parse_duration("200ms") == 200ms);
    CHECK(parse_duration("10s") == 10s);
    CHECK(parse_duration("10") == 10s);
    CHECK(parse_duration("3m") == 180s);
    CHECK(parse_duration("1h") == 3600s);
    CHECK_FALSE(parse_duration("10 parsecs").has_value());
    CHECK_FALSE(parse_duration("-1s").has_value());
    CHECK_FALSE(parse_duration("").has_value());
    CHECK(parse_size("16KiB") == 16384);
    CHECK(parse_size("1MiB") == 1048576);
    CHECK(parse_size("512") == 512);
    CHECK_FALSE(parse_size("1GiB").has_value());
}

TEST_CASE("the example configuration loads and matches the defaults") {
    // Goal: examples/hodi.yaml stays valid and documents the real defaults. Method: load it and
    // compare with a default Config.
    const Config example = load_config(test::source_dir() / "examples/hodi.yaml", environment({}));
    const Config defaults = load_config(std::nullopt, environment({}));
    CHECK(example.http.address == defaults.http.address);
    CHECK(example.http.port == defaults.http.port);
    CHECK(example.http.body_limit == defaults.http.body_limit);
    CHECK(example.http.header_limit == defaults.http.header_limit);
    CHECK(example.http.read_timeout == defaults.http.read_timeout);
    CHECK(example.http.idle_timeout == defaults.http.idle_timeout);
    CHECK(example.http.shutdown_grace == defaults.http.shutdown_grace);
    CHECK(example.http.client_header == defaults.http.client_header);
    CHECK(example.http.first_byte_timeout == defaults.http.first_byte_timeout);
    CHECK(example.http.access_log == defaults.http.access_log);
    CHECK(example.http.connections_max == defaults.http.connections_max);
    CHECK(example.http.connections_per_peer_max == defaults.http.connections_per_peer_max);
    CHECK(example.http.trusted_proxies.size() == defaults.http.trusted_proxies.size());
    CHECK(example.at.callbacks.allow_from.size() == defaults.at.callbacks.allow_from.size());
    CHECK(example.at.callbacks.token == defaults.at.callbacks.token);
    CHECK(example.at.insecure_open == defaults.at.insecure_open);
    CHECK(example.threads == defaults.threads);
    CHECK(example.menu == defaults.menu);
    CHECK(example.sessions.memory.max_sessions == defaults.sessions.memory.max_sessions);
    CHECK(example.ussd.hop_budget == defaults.ussd.hop_budget);
    CHECK(example.ussd.limits.hops_per_phone_per_minute ==
          defaults.ussd.limits.hops_per_phone_per_minute);
    CHECK(example.ussd.limits.in_flight_max == defaults.ussd.limits.in_flight_max);
    CHECK(example.ussd.limits.registrations_per_source_per_minute ==
          defaults.ussd.limits.registrations_per_source_per_minute);
    CHECK(example.payments.prompts_per_phone_per_hour ==
          defaults.payments.prompts_per_phone_per_hour);
    CHECK(example.sessions.redis.command_timeout == defaults.sessions.redis.command_timeout);
    CHECK(example.sessions.redis.key_prefix == defaults.sessions.redis.key_prefix);
    CHECK(example.sessions.redis.claim_sessions == defaults.sessions.redis.claim_sessions);
    CHECK(example.bank.actions == defaults.bank.actions);
    CHECK(example.bank.store.path == defaults.bank.store.path);
    CHECK(example.bank.store.page_cache_bytes == defaults.bank.store.page_cache_bytes);
    CHECK(defaults.bank.store.page_cache_bytes == storage::default_page_cache_bytes);
    CHECK(example.pins.pepper_file == defaults.pins.pepper_file);
    CHECK(example.pins.cost == defaults.pins.cost);
    CHECK(example.payments.mode == defaults.payments.mode);
    CHECK(example.payments.sandbox_delay == defaults.payments.sandbox_delay);
    CHECK(example.payments.outbox.poll == defaults.payments.outbox.poll);
    CHECK(example.payments.outbox.send_deadline == defaults.payments.outbox.send_deadline);
    CHECK(example.payments.outbox.claim_lease == defaults.payments.outbox.claim_lease);
}

TEST_CASE("bank and payment settings read from YAML and HODI_* with named errors") {
    // Goal: an operator's bank settings land, and mistakes name their source. Method: set each
    // through the environment, then a bad value for each kind.
    const Config config = load_config(
        std::nullopt, environment({{"HODI_ACTIONS", "demo"},
                                   {"HODI_DATABASE", "/data/bank.db"},
                                   {"HODI_DATABASE_CACHE", "256MiB"},
                                   {"HODI_PIN_HASH_COST", "minimum"},
                                   {"HODI_SANDBOX_DELAY", "0s"},
                                   {"HODI_OUTBOX_POLL", "50ms"},
                                   {"HODI_PIN_PEPPER", "a-pepper-from-the-environment"}}));
    CHECK(config.bank.actions == ActionsBackend::demo);
    CHECK(config.bank.store.path == "/data/bank.db");
    CHECK(config.bank.store.page_cache_bytes == std::size_t{256} * 1024 * 1024);
    CHECK(config.pins.cost == PinHashCost::minimum);
    CHECK(config.payments.sandbox_delay == std::chrono::milliseconds(0));
    CHECK(config.payments.outbox.poll == std::chrono::milliseconds(50));
    CHECK(config.pins.pepper == "a-pepper-from-the-environment");
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"HODI_ACTIONS", "ledger"},
             {"HODI_DATABASE_CACHE", "lots"},
             {"HODI_DATABASE_CACHE", "512KiB"},  // below the 1MiB minimum
             {"HODI_PIN_HASH_COST", "cheap"},
             {"HODI_PAYMENTS", "stub"},
             {"HODI_SANDBOX_DELAY", "soon"},
             {"HODI_OUTBOX_POLL", "0s"}}) {
        INFO(name << "=" << value);
        try {
            load_config(std::nullopt, environment({{name, value}}));
            FAIL("accepted");
        } catch (const ConfigError& error) {
            CHECK(std::string(error.what()).starts_with(name + ": "));
        }
    }
}

TEST_CASE("an outbox lease shorter than a pass can take is refused, naming the key") {
    // Goal: rows a live pass still holds are never claimed by another pass, which would call
    // the provider twice for them. Method: a lease of 5s against 10s deadlines; then one that
    // outlasts 200ms deadlines.
    CHECK_THROWS_WITH_AS(load_config(std::nullopt, environment({{"HODI_OUTBOX_LEASE", "5s"}})),
                         doctest::Contains("payments.outbox_lease"), ConfigError);
    const Config short_calls = load_config(
        std::nullopt, environment({{"HODI_OUTBOX_LEASE", "3s"}, {"HODI_SEND_DEADLINE", "200ms"}}));
    CHECK(short_calls.payments.outbox.claim_lease == 3s);
    CHECK(short_calls.payments.outbox.send_deadline == 200ms);
    CHECK(adapters::longest_pass(short_calls.payments.outbox) < 3s);
}

TEST_CASE("the PIN pepper is never read from a configuration file") {
    // Goal: a secret cannot end up in a file that gets committed. Method: a YAML file with
    // pin_pepper is refused as an unknown key.
    test::TempDir dir;
    const auto file = write(dir, "pin_pepper: hunter2hunter2hunter2\n");
    CHECK_THROWS_WITH_AS(load_config(file, environment({})),
                         doctest::Contains("unknown key 'pin_pepper'"), ConfigError);
}

TEST_CASE("the AT callback guard reads its token, allowlist and proxy header") {
    const test::TempDir dir;
    const auto file = write(dir,
                            "listen: 0.0.0.0:8080\n"
                            "http:\n  client_header: X-Real-IP\n  trusted_proxies: [10.0.0.5]\n"
                            "at:\n  allow_from:\n    - 196.201.214.0/24\n    - 2001:db8::/32\n");
    const Config config = load_config(file, environment({}));
    CHECK(config.http.client_header == "X-Real-IP");
    REQUIRE(config.http.trusted_proxies.size() == 1);
    CHECK(config.http.trusted_proxies[0].to_string() == "10.0.0.5/32");
    REQUIRE(config.at.callbacks.allow_from.size() == 2);
    CHECK(config.at.callbacks.allow_from[1].to_string() == "2001:db8::/32");
    CHECK_FALSE(config.at.callbacks.token.has_value());

    const Config from_env = load_config(
        std::nullopt, environment({{"HODI_AT_CALLBACK_TOKEN", "Zk3v-9QwXr_T2mLp8sYb"},
                                   {"HODI_AT_ALLOW_FROM", "196.201.214.0/24, 127.0.0.1"}}));
    CHECK(from_env.at.callbacks.token == "Zk3v-9QwXr_T2mLp8sYb");
    CHECK(from_env.at.callbacks.allow_from.size() == 2);
    CHECK(load_config(std::nullopt, environment({})).http.trusted_proxies.size() == 2);
}

TEST_CASE("unguarded AT callbacks are served on loopback only unless insecure_open says so") {
    // Goal: secure by default. A public listen address with neither a token nor an allowlist is
    // refused with one line that says what to set; each of the three ways out is accepted.
    const auto open = environment({{"HODI_LISTEN", "0.0.0.0:8080"}});
    const std::string refused = error_of(std::nullopt, open);
    CHECK(refused.find("listen: 0.0.0.0") == 0);
    CHECK(refused.find("at.callback_token") != std::string::npos);
    CHECK(error_of(std::nullopt, environment({{"HODI_LISTEN", "[::]:8080"}})) != "");
    CHECK(error_of(std::nullopt, environment({{"HODI_LISTEN", "192.168.1.10:80"}})) != "");
    CHECK(error_of(std::nullopt, environment({{"HODI_LISTEN", "127.0.0.2:8080"}})) == "");
    CHECK(error_of(std::nullopt, environment({{"HODI_LISTEN", "[::1]:8080"}})) == "");
    CHECK(error_of(std::nullopt, environment({{"HODI_LISTEN", "0.0.0.0:8080"},
                                              {"HODI_AT_INSECURE_OPEN", "true"}})) == "");
    CHECK(error_of(std::nullopt, environment({{"HODI_LISTEN", "0.0.0.0:8080"},
                                              {"HODI_AT_ALLOW_FROM", "196.201.214.0/24"}})) == "");
    CHECK(error_of(std::nullopt,
                   environment({{"HODI_LISTEN", "0.0.0.0:8080"},
                                {"HODI_AT_CALLBACK_TOKEN", "Zk3v-9QwXr_T2mLp8sYb"}})) == "");
}

TEST_CASE("bad callback settings are refused, and a token is never echoed") {
    const std::string short_token =
        error_of(std::nullopt, environment({{"HODI_AT_CALLBACK_TOKEN", "short-secret"}}));
    CHECK(short_token.find("HODI_AT_CALLBACK_TOKEN") == 0);
    const std::string slashed = error_of(
        std::nullopt, environment({{"HODI_AT_CALLBACK_TOKEN", "very/long/secret/with/slashes"}}));
    CHECK(slashed.find("HODI_AT_CALLBACK_TOKEN") == 0);
    CHECK(slashed.find("very/long") == std::string::npos);
    CHECK(error_of(std::nullopt, environment({{"HODI_AT_ALLOW_FROM", "10.0.0.1/8"}}))
              .find("10.0.0.1/8") != std::string::npos);
    CHECK(error_of(std::nullopt, environment({{"HODI_AT_INSECURE_OPEN", "yes"}})) != "");
    CHECK(error_of(std::nullopt, environment({{"HODI_CLIENT_HEADER", "X Real IP"}})) != "");
    const test::TempDir dir;
    const auto nested = write(dir, "at:\n  allow_from:\n    - [10.0.0.0/8]\n");
    CHECK(error_of(nested, environment({})).find("takes a list of single values") !=
          std::string::npos);
}

}  // namespace hodi::app
