// The `daraja.*` settings: a live configuration is complete before the first payment, secrets
// come from the environment only, and the callback URL is one Daraja accepts.
#include <doctest/doctest.h>

#include <fstream>
#include <map>

#include "app/config.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::app {

namespace {

using Values = std::map<std::string, std::string>;

Environment environment(Values values) {
    return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
        const auto found = values.find(std::string(name));
        if (found == values.end()) return std::nullopt;
        return found->second;
    };
}

// Everything payments.mode daraja needs, the certificate at `certificate`.
Values live(const std::filesystem::path& certificate) {
    return {{"HODI_PAYMENTS", "daraja"},
            {"HODI_DARAJA_BASE_URL", "https://api.safaricom.co.ke"},
            {"HODI_DARAJA_CONSUMER_KEY", "key"},
            {"HODI_DARAJA_CONSUMER_SECRET", "secret"},
            {"HODI_DARAJA_STK_SHORTCODE", "4123456"},
            {"HODI_DARAJA_PASSKEY", "passkey"},
            {"HODI_DARAJA_B2C_SHORTCODE", "3123456"},
            {"HODI_DARAJA_INITIATOR_NAME", "hodi_api"},
            {"HODI_DARAJA_INITIATOR_PASSWORD", "initiator-password"},
            {"HODI_DARAJA_CERTIFICATE", certificate.string()},
            {"HODI_DARAJA_PUBLIC_URL", "https://pay.example.com"}};
}

std::string error_of(const std::optional<std::filesystem::path>& file, const Values& values) {
    try {
        load_config(file, environment(values));
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a complete daraja configuration is accepted, with Safaricom's sources by default") {
    const test::TempDir dir;
    const Config config = load_config(std::nullopt, environment(live(dir.path() / "cert.pem")));
    CHECK(config.payments.mode == Payments::daraja);
    CHECK(config.payments.daraja.api.consumer_secret == "secret");
    CHECK(config.payments.daraja.initiator_password == "initiator-password");
    CHECK(config.payments.daraja.api.stk_shortcode == 4123456);
    // Safaricom's published callback addresses, 14 of them, unless the operator set others.
    CHECK(config.payments.daraja.callbacks.allow_from.size() == 14);
    Values own = live(dir.path() / "cert.pem");
    own["HODI_DARAJA_ALLOW_FROM"] = "10.0.0.0/8";
    CHECK(load_config(std::nullopt, environment(own)).payments.daraja.callbacks.allow_from
              .size() == 1);
}

TEST_CASE("daraja mode names what is missing") {
    const test::TempDir dir;
    // Each variable left out, and the name the refusal gives for it.
    const std::map<std::string, std::string> named = {
        {"HODI_DARAJA_CONSUMER_SECRET", "HODI_DARAJA_CONSUMER_SECRET"},
        {"HODI_DARAJA_PASSKEY", "HODI_DARAJA_PASSKEY"},
        {"HODI_DARAJA_INITIATOR_NAME", "daraja.initiator_name"},
        {"HODI_DARAJA_INITIATOR_PASSWORD", "HODI_DARAJA_INITIATOR_PASSWORD"},
        {"HODI_DARAJA_CERTIFICATE", "daraja.certificate"},
        {"HODI_DARAJA_PUBLIC_URL", "daraja.public_url"}};
    for (const auto& [missing, name] : named) {
        CAPTURE(missing);
        Values values = live(dir.path() / "cert.pem");
        values.erase(missing);
        const std::string error = error_of(std::nullopt, values);
        CHECK(error.starts_with("payments.mode daraja: "));
        CHECK(error.find(name) != std::string::npos);
        CHECK(error.find("is missing") != std::string::npos);
    }
    Values plain = live(dir.path() / "cert.pem");
    plain["HODI_DARAJA_BASE_URL"] = "http://api.safaricom.co.ke";
    CHECK(error_of(std::nullopt, plain).find("https") != std::string::npos);
}

TEST_CASE("a Daraja secret in the configuration file is refused, naming its variable") {
    const test::TempDir dir;
    const auto file = dir.path() / "hodi.yaml";
    std::ofstream(file) << "daraja:\n  consumer_secret: s3cret\n";
    const std::string error = error_of(file, {});
    CHECK(error.find("hodi.yaml:2:") != std::string::npos);  // where the secret was written
    CHECK(error.find("HODI_DARAJA_CONSUMER_SECRET") != std::string::npos);
    CHECK(error.find("s3cret") == std::string::npos);
}

TEST_CASE("a public URL Daraja would refuse is refused at start") {
    const test::TempDir dir;
    for (const char* url : {"https://mpesa.example.com", "https://pay.example.com/SQL",
                            "https://example.com/Safaricom-callbacks"}) {
        CAPTURE(url);
        Values values = live(dir.path() / "cert.pem");
        values["HODI_DARAJA_PUBLIC_URL"] = url;
        CHECK(error_of(std::nullopt, values).starts_with("daraja.public_url: "));
    }
}

TEST_CASE("the sandbox Daraja listens on loopback port 8091 unless told otherwise") {
    const Config defaults = load_config(std::nullopt, environment({}));
    CHECK(defaults.payments.sandbox_address == "127.0.0.1");
    CHECK(defaults.payments.sandbox_port == 8091);
    const Config moved =
        load_config(std::nullopt, environment({{"HODI_SANDBOX_LISTEN", "127.0.0.1:0"}}));
    CHECK(moved.payments.sandbox_port == 0);
}

TEST_CASE("the first status check waits whole seconds, at least one") {
    CHECK(load_config(std::nullopt, environment({})).payments.daraja.senders.first_check ==
          std::chrono::seconds{60});
    CHECK(load_config(std::nullopt, environment({{"HODI_DARAJA_FIRST_CHECK", "2m"}}))
              .payments.daraja.senders.first_check == std::chrono::seconds{120});
    CHECK(error_of(std::nullopt, {{"HODI_DARAJA_FIRST_CHECK", "500ms"}}).find("at least 1s") !=
          std::string::npos);
}

TEST_CASE("the example configuration documents the daraja defaults") {
    const Config example = load_config(test::source_dir() / "examples/hodi.yaml", environment({}));
    const Config defaults = load_config(std::nullopt, environment({}));
    CHECK(example.payments.daraja.api.base_url == defaults.payments.daraja.api.base_url);
    CHECK(example.payments.daraja.api.call_deadline ==
          defaults.payments.daraja.api.call_deadline);
    CHECK(example.payments.daraja.senders.account_reference ==
          defaults.payments.daraja.senders.account_reference);
    CHECK(example.payments.daraja.senders.first_check ==
          defaults.payments.daraja.senders.first_check);
    CHECK(example.payments.sandbox_address == defaults.payments.sandbox_address);
    CHECK(example.payments.sandbox_port == defaults.payments.sandbox_port);
}

}  // namespace hodi::app
