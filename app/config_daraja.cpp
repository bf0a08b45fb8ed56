// The `daraja.*` settings: where Daraja is and who hodi is there, where Daraja calls back and
// who may, and the checks that keep a live configuration from failing on the first payment.
#include <array>
#include <chrono>
#include <cstdint>

#include "adapters/daraja/request_fields.hpp"
#include "app/config_keys.hpp"
#include "app/config_parsers.hpp"
#include "app/paths.hpp"

namespace hodi::app::config_keys {

namespace {

using namespace config_parsers;

constexpr std::uint64_t shortcode_max = 9'999'999'999;

// Shortcodes, tills and phone-like numbers are sent as JSON numbers (int64) to Daraja.
std::int64_t shortcode(const std::string& text, const std::string& where) {
    return static_cast<std::int64_t>(whole_in(std::uint64_t{1}, shortcode_max)(text, where));
}

// The wait before the first STK Query or Transaction Status: whole seconds, at least one.
std::chrono::seconds first_check(const std::string& text, const std::string& where) {
    const auto wait = std::chrono::duration_cast<std::chrono::seconds>(
        positive_duration(text, where));
    if (wait.count() < 1) fail(where, "the first status check waits at least 1s");
    return wait;
}

// Safaricom's callback sources as SDK authors quote its Getting Started page (PROTOCOLS.md
// §3.10), with the two addresses only one SDK lists: a source missing here would refuse a
// real payment's callback, one too many only widens what the path token already guards.
constexpr std::array<std::string_view, 14> safaricom_sources = {
    "196.201.214.200", "196.201.214.206", "196.201.214.207", "196.201.214.208",
    "196.201.213.114", "196.201.213.44",  "196.201.212.127", "196.201.212.128",
    "196.201.212.129", "196.201.212.132", "196.201.212.136", "196.201.212.138",
    "196.201.212.69",  "196.201.212.74"};

// Daraja's secrets are read from the environment only: a config file is copied, committed and
// backed up in ways a secret must not be.
auto secret_refused(std::string_view variable) {
    return [variable](const std::string&, const std::string& where) -> std::string {
        fail(where, "a secret is never read from a configuration file; set " +
                        std::string(variable) + " in the environment instead");
    };
}

void add_secret_rows(std::vector<Key>& keys) {
    keys.push_back(key("daraja.consumer_key", "", secret_refused("HODI_DARAJA_CONSUMER_KEY"),
                       [](Config& c) -> auto& { return c.payments.daraja.api.consumer_key; }));
    keys.push_back(key("daraja.consumer_secret", "",
                       secret_refused("HODI_DARAJA_CONSUMER_SECRET"),
                       [](Config& c) -> auto& { return c.payments.daraja.api.consumer_secret; }));
    keys.push_back(key("daraja.passkey", "", secret_refused("HODI_DARAJA_PASSKEY"),
                       [](Config& c) -> auto& { return c.payments.daraja.api.passkey; }));
    keys.push_back(key("daraja.initiator_password", "",
                       secret_refused("HODI_DARAJA_INITIATOR_PASSWORD"),
                       [](Config& c) -> auto& { return c.payments.daraja.initiator_password; }));
}

void add_account_rows(std::vector<Key>& keys) {
    keys.push_back(key("daraja.base_url", "HODI_DARAJA_BASE_URL", any_text,
                       [](Config& c) -> auto& { return c.payments.daraja.api.base_url; }));
    keys.push_back(key("daraja.stk_shortcode", "HODI_DARAJA_STK_SHORTCODE",
                       shortcode,
                       [](Config& c) -> auto& { return c.payments.daraja.api.stk_shortcode; }));
    keys.push_back(key("daraja.till_number", "HODI_DARAJA_TILL_NUMBER",
                       shortcode,
                       [](Config& c) -> auto& { return c.payments.daraja.api.till_number; }));
    keys.push_back(key("daraja.b2c_shortcode", "HODI_DARAJA_B2C_SHORTCODE",
                       shortcode,
                       [](Config& c) -> auto& { return c.payments.daraja.api.b2c_shortcode; }));
    keys.push_back(key("daraja.initiator_name", "HODI_DARAJA_INITIATOR_NAME", any_text,
                       [](Config& c) -> auto& { return c.payments.daraja.api.initiator_name; }));
    keys.push_back(key("daraja.certificate", "HODI_DARAJA_CERTIFICATE",
                       path_to("Daraja certificate path"),
                       [](Config& c) -> auto& { return c.payments.daraja.certificate; }));
    keys.push_back(key("daraja.call_deadline", "HODI_DARAJA_CALL_DEADLINE", positive_duration,
                       [](Config& c) -> auto& { return c.payments.daraja.api.call_deadline; }));
    keys.push_back(key("daraja.ca_file", "HODI_DARAJA_CA_FILE", path_to("CA file path"),
                       [](Config& c) -> auto& { return c.payments.daraja.ca_file; }));
    keys.push_back(key("daraja.account_reference", "HODI_DARAJA_ACCOUNT_REFERENCE", any_text,
                       [](Config& c) -> auto& {
                           return c.payments.daraja.senders.account_reference;
                       }));
    keys.push_back(key("daraja.first_check", "HODI_DARAJA_FIRST_CHECK", first_check,
                       [](Config& c) -> auto& { return c.payments.daraja.senders.first_check; }));
}

void add_callback_rows(std::vector<Key>& keys) {
    keys.push_back(key("daraja.public_url", "HODI_DARAJA_PUBLIC_URL", any_text,
                       [](Config& c) -> auto& { return c.payments.daraja.public_url; }));
    keys.push_back(key("daraja.callback_token", "HODI_DARAJA_CALLBACK_TOKEN", callback_token,
                       [](Config& c) -> auto& { return c.payments.daraja.callbacks.token; }));
    keys.push_back(key("daraja.callback_token_file", "HODI_DARAJA_CALLBACK_TOKEN_FILE",
                       path_to("callback token file path"),
                       [](Config& c) -> auto& { return c.payments.daraja.callback_token_file; }));
    keys.push_back(key("daraja.allow_from", "HODI_DARAJA_ALLOW_FROM", address_ranges,
                       [](Config& c) -> auto& { return c.payments.daraja.callbacks.allow_from; }));
    keys.back().list = true;
    keys.push_back(key("payments.sandbox_listen", "HODI_SANDBOX_LISTEN", host_port,
                       [](Config& c) {
                           return std::tie(c.payments.sandbox_address, c.payments.sandbox_port);
                       }));
}

std::vector<adapters::AddressRange> safaricom_callback_sources() {
    std::string list;
    for (std::string_view address : safaricom_sources) {
        if (!list.empty()) list += ',';
        list += address;
    }
    return adapters::parse_address_ranges(list).value_or(std::vector<adapters::AddressRange>{});
}

void require(bool present, std::string_view what, std::string_view how) {
    if (present) return;
    throw ConfigError("payments.mode daraja: " + std::string(what) + " is missing; " +
                      std::string(how));
}

}  // namespace

void add_daraja_keys(std::vector<Key>& keys) {
    add_secret_rows(keys);
    add_account_rows(keys);
    add_callback_rows(keys);
}

void finish_daraja(Config& config, const Environment& environment) {
    read_daraja_secrets(config, environment);
    DarajaConfig& daraja = config.payments.daraja;
    if (daraja.callback_token_file.empty()) {
        daraja.callback_token_file =
            config.bank.store.path.parent_path() / daraja_token_file_name;
    }
    if (config.payments.mode == Payments::daraja && daraja.callbacks.allow_from.empty()) {
        daraja.callbacks.allow_from = safaricom_callback_sources();
    }
    check_daraja(config);
}

void read_daraja_secrets(Config& config, const Environment& environment) {
    DarajaConfig& daraja = config.payments.daraja;
    const auto take = [&environment](std::string_view name, std::string& into) {
        if (auto value = environment(name); value && !value->empty()) into = *value;
    };
    take("HODI_DARAJA_CONSUMER_KEY", daraja.api.consumer_key);
    take("HODI_DARAJA_CONSUMER_SECRET", daraja.api.consumer_secret);
    take("HODI_DARAJA_PASSKEY", daraja.api.passkey);
    if (auto password = environment("HODI_DARAJA_INITIATOR_PASSWORD");
        password && !password->empty()) {
        daraja.initiator_password = *password;
    }
}

void check_daraja(const Config& config) {
    const DarajaConfig& daraja = config.payments.daraja;
    if (auto problem = adapters::daraja::prompt_text_problem(
            daraja.senders.account_reference, adapters::daraja::account_reference_chars_max)) {
        throw ConfigError("daraja.account_reference: '" + daraja.senders.account_reference +
                          "' " + *problem);
    }
    if (config.payments.mode != Payments::daraja) return;
    const adapters::daraja::DarajaSettings& api = daraja.api;
    require(api.base_url.starts_with("https://"), "an https daraja.base_url",
            "Daraja is https only");
    require(!api.consumer_key.empty() && !api.consumer_secret.empty(),
            "HODI_DARAJA_CONSUMER_KEY or HODI_DARAJA_CONSUMER_SECRET", "set both");
    require(api.stk_shortcode > 0 && !api.passkey.empty(),
            "daraja.stk_shortcode or HODI_DARAJA_PASSKEY", "STK Push needs both");
    require(api.b2c_shortcode > 0 && !api.initiator_name.empty(),
            "daraja.b2c_shortcode or daraja.initiator_name", "B2C payouts need both");
    require(daraja.initiator_password.has_value() && daraja.certificate.has_value(),
            "HODI_DARAJA_INITIATOR_PASSWORD or daraja.certificate",
            "B2C's SecurityCredential is the password encrypted with the certificate");
    require(!daraja.public_url.empty(), "daraja.public_url",
            "Daraja must be told where to send results (https://your-host)");
    // What Daraja would refuse, checked on the URL as registered, token aside.
    const auto problems =
        adapters::daraja::callback_url_problems(daraja.public_url + "/daraja/stk");
    if (!problems.empty()) {
        throw ConfigError("daraja.public_url: Daraja refuses callback URLs that " +
                          problems.front() + ": " + daraja.public_url);
    }
}

}  // namespace hodi::app::config_keys
