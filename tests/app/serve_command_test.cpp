// `hodi serve` as an operator runs it: the real binary on a random loopback port.
#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

#include "adapters/form.hpp"
#include "adapters/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;

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
                      {listen_env(port), "HODI_THREADS=2",
                       "HODI_MENU=" + (source_dir() / "menus/hodi.yaml").string()},
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

}  // namespace hodi::test
