// `hodi serve` as an operator runs it: the real binary on a random loopback port.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <csignal>
#include <fstream>

#include "adapters/form.hpp"
#include "adapters/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;

// The sandbox Daraja on a free port, so that tests running at once never meet on 8091.
const std::string sandbox_anywhere = "HODI_SANDBOX_LISTEN=127.0.0.1:0";

std::string listen_env(unsigned short port) {
    return "HODI_LISTEN=127.0.0.1:" + std::to_string(port);
}

}  // namespace

TEST_CASE("hodi serve answers a dial with the shipped menu and stops cleanly on SIGTERM") {
    // Goal: the binary wires config, menu, store and server. Method: start it on a free port,
    // dial and choose 1, then SIGTERM; it must exit 0.
    const unsigned short port = free_loopback_port();
    TempDir dir;
    ChildProcess hodi({HODI_BINARY, "serve"},
                      {listen_env(port), "HODI_THREADS=2", sandbox_anywhere,
                       "HODI_MENU=" + (source_dir() / "menus/hodi.yaml").string(),
                       "HODI_DATABASE=" + (dir.path() / "bank/hodi.db").string(),
                       "HODI_PIN_PEPPER_FILE=" + (dir.path() / "bank/pepper").string()},
                      dir.path() / "serve.log");
    REQUIRE(wait_for_port(port, 20s));
    adapters::HttpClient client("127.0.0.1", port);
    const auto hop = [&client](std::string_view text) {
        const std::string body = adapters::form_encode({{"sessionId", "ATUid_serve_test"},
                                                        {"serviceCode", "*384*2470#"},
                                                        {"phoneNumber", "+254712345678"},
                                                        {"networkCode", "63902"},
                                                        {"text", text}});
        auto response = client.post_form("/ussd/at", body);
        REQUIRE(response.has_value());
        return *response;
    };
    const auto first = hop("");
    CHECK(first.status == 200);
    CHECK(first.body.starts_with("CON "));
    CHECK(hop("1").body.starts_with("CON "));
    const auto ready = client.get("/readyz");
    REQUIRE(ready.has_value());
    CHECK(ready->status == 200);
    hodi.signal(SIGTERM);
    CHECK(hodi.wait(10s) == 0);
    const std::string log = read_file(dir.path() / "serve.log");
    CHECK(log.find("hodi sim --url http://127.0.0.1:" + std::to_string(port) + "/ussd/at") !=
          std::string::npos);
    // The bank and a fresh pepper were created where the configuration said, the pepper
    // readable by its owner only, and the sandbox announced itself.
    CHECK(std::filesystem::exists(dir.path() / "bank/hodi.db"));
    const auto pepper = dir.path() / "bank/pepper";
    REQUIRE(std::filesystem::exists(pepper));
    CHECK(read_file(pepper).size() == 65);
    const auto permissions = std::filesystem::status(pepper).permissions();
    CHECK((permissions & std::filesystem::perms::group_read) == std::filesystem::perms::none);
    CHECK((permissions & std::filesystem::perms::others_read) == std::filesystem::perms::none);
    CHECK(log.find("SANDBOX") != std::string::npos);
    const auto owner_only = [](const std::filesystem::path& path) {
        const auto perms = std::filesystem::status(path).permissions();
        return (perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
               std::filesystem::perms::none;
    };
    CHECK(owner_only(dir.path() / "bank"));
    CHECK(owner_only(dir.path() / "bank/hodi.db"));
}

TEST_CASE("hodi serve refuses a bank whose pepper is missing or is another one") {
    // Goal: a lost or swapped pepper is caught at start with one clear line, before any
    // subscriber's right PIN reads as wrong. Method: a bank with a subscriber who has a PIN;
    // start it without its pepper file, then with another pepper; both exit 1 and name the
    // problem. The right pepper still starts.
    TempDir dir;
    const auto database = dir.path() / "hodi.db";
    const std::string menu = "HODI_MENU=" + (source_dir() / "menus/hodi.yaml").string();
    const auto with_bank = [&](std::vector<std::string> env, unsigned short port) {
        env.push_back(menu);
        env.push_back("HODI_DATABASE=" + database.string());
        env.push_back("HODI_THREADS=1");
        env.push_back(listen_env(port));
        env.push_back(sandbox_anywhere);
        return env;
    };
    const auto serve = [&](std::vector<std::string> env) {
        return run_command({HODI_BINARY, "serve"}, 30s, with_bank(std::move(env),
                                                                  free_loopback_port()));
    };
    const std::string right = "HODI_PIN_PEPPER=0123456789abcdef0123456789abcdef";
    const auto starts = [&] {
        const unsigned short port = free_loopback_port();
        ChildProcess hodi({HODI_BINARY, "serve"}, with_bank({right}, port),
                          dir.path() / "serve.log");
        const bool listening = wait_for_port(port, 20s);
        hodi.signal(SIGTERM);
        const bool stopped = hodi.wait(10s) == 0;
        INFO(read_file(dir.path() / "serve.log"));
        CHECK(listening);
        CHECK(stopped);
        return listening && stopped;
    };
    REQUIRE(starts());
    {
        SQLite::Database db(database.string(), SQLite::OPEN_READWRITE);
        db.exec("INSERT INTO users (phone, pin_hash, created_at) VALUES ('+254700000001', "
                "'$argon2id$stand-in', 1)");
    }
    const auto missing = serve({"HODI_PIN_PEPPER_FILE=" + (dir.path() / "gone").string()});
    CHECK(missing.exit_code == 1);
    CHECK(missing.output.find("holds 1 subscribers' PINs but the PIN pepper") !=
          std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.path() / "gone"));  // no new pepper was made
    const auto other = serve({"HODI_PIN_PEPPER=fedcba9876543210fedcba9876543210"});
    CHECK(other.exit_code == 1);
    CHECK(other.output.find("is not the one the PINs in") != std::string::npos);
    CHECK(other.output.find("fedcba98") == std::string::npos);
    CHECK(starts());
}

TEST_CASE("hodi serve refuses a short pepper and a bank from a newer hodi with exit code 1") {
    // Goal: hodi never serves money with a guessable pepper or a schema it does not know.
    // Method: a 5-character HODI_PIN_PEPPER; then a database whose user_version is far ahead.
    TempDir dir;
    const std::string menu = "HODI_MENU=" + (source_dir() / "menus/hodi.yaml").string();
    const auto short_pepper = run_command(
        {HODI_BINARY, "serve"}, 30s,
        {menu, listen_env(free_loopback_port()), "HODI_PIN_PEPPER=12345",
         "HODI_DATABASE=" + (dir.path() / "a.db").string()});
    CHECK(short_pepper.exit_code == 1);
    CHECK(short_pepper.output.find("HODI_PIN_PEPPER: a PIN pepper needs at least") !=
          std::string::npos);
    const auto newer = dir.path() / "newer.db";
    {
        SQLite::Database db(newer.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("PRAGMA user_version = 999");
    }
    const auto refused = run_command(
        {HODI_BINARY, "serve"}, 30s,
        {menu, listen_env(free_loopback_port()), "HODI_PIN_PEPPER=0123456789abcdef",
         "HODI_DATABASE=" + newer.string()});
    CHECK(refused.exit_code == 1);
    CHECK(refused.output.find("cannot open the bank") != std::string::npos);
}

TEST_CASE("hodi serve refuses a broken menu or configuration with exit code 2") {
    // Goal: operators learn what is wrong before any traffic. Method: a menu with errors and a
    // bad variable; both exit 2 and print the place of the problem.
    TempDir dir;
    const auto menu = dir.path() / "broken.yaml";
    std::ofstream(menu) << "start: nowhere\nnodes: {}\n";
    const auto broken_menu =
        run_command({HODI_BINARY, "serve"}, 30s,
                    {"HODI_MENU=" + menu.string(), listen_env(free_loopback_port())});
    CHECK(broken_menu.exit_code == 2);
    CHECK(broken_menu.output.find("broken.yaml:") != std::string::npos);
    const auto bad_config = run_command({HODI_BINARY, "serve"}, 30s, {"HODI_THREADS=lots"});
    CHECK(bad_config.exit_code == 2);
    CHECK(bad_config.output.find("HODI_THREADS") != std::string::npos);
}

TEST_CASE("hodi serve started outside the repository finds the shipped menu and keeps var/ there") {
    // Goal: the README's "no configuration at all" holds wherever hodi is started. Method: run
    // the built binary from an empty folder with no menu configured; it must serve the shipped
    // menu (copied next to the binary) and create its bank under that folder's var/.
    const unsigned short port = free_loopback_port();
    TempDir dir;
    const std::string command = "cd '" + dir.path().string() + "' && exec '" +
                                std::string(HODI_BINARY) + "' serve";
    ChildProcess hodi({"sh", "-c", command}, {listen_env(port), "HODI_THREADS=1", sandbox_anywhere},
                      dir.path() / "serve.log");
    REQUIRE_MESSAGE(wait_for_port(port, 20s), read_file(dir.path() / "serve.log"));
    adapters::HttpClient client("127.0.0.1", port);
    const std::string body = adapters::form_encode({{"sessionId", "ATUid_elsewhere"},
                                                    {"serviceCode", "*384*2470#"},
                                                    {"phoneNumber", "+254712345678"},
                                                    {"networkCode", "63902"},
                                                    {"text", ""}});
    const auto response = client.post_form("/ussd/at", body);
    REQUIRE(response.has_value());
    CHECK(response->body.starts_with("CON "));
    hodi.signal(SIGTERM);
    CHECK(hodi.wait(10s) == 0);
    CHECK(std::filesystem::exists(dir.path() / "var/hodi.db"));
    CHECK(std::filesystem::exists(dir.path() / "var/pin_pepper"));
    CHECK(read_file(dir.path() / "serve.log").find("menus/hodi.yaml") != std::string::npos);
}

}  // namespace hodi::test
