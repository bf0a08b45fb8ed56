// Plays every examples/*.sim against the real `hodi serve` with the shipped menu, over loopback,
// exactly as a tester would with `hodi sim --script`.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/vectors.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// `hodi serve` on a random loopback port with menus/hodi.yaml, in-memory sessions and a fresh
// bank in `dir` (sandbox payments completing at once); stopped when the object goes. The PIN
// hash cost is the minimum: the scripts test the menus, and argon2 at full cost under the
// sanitizers would only slow them down. Not thread-safe.
class RunningHodi {
public:
    explicit RunningHodi(const fs::path& dir)
        : port_(hodi::test::free_loopback_port()),
          sandbox_port_(hodi::test::free_loopback_port()),
          process_({HODI_BINARY, "serve", "--listen", "127.0.0.1:" + std::to_string(port_)},
                   {"HODI_SANDBOX_LISTEN=127.0.0.1:" + std::to_string(sandbox_port_),
                    "HODI_MENU=" + (hodi::test::source_dir() / "menus/hodi.yaml").string(),
                    "HODI_THREADS=1", "HODI_SESSIONS=memory", "HODI_LOG_LEVEL=warn",
                    "HODI_DATABASE=" + (dir / "hodi.db").string(),
                    "HODI_PIN_PEPPER=sim-scripts-test-pepper", "HODI_PIN_HASH_COST=minimum",
                    "HODI_SANDBOX_DELAY=0s", "HODI_OUTBOX_POLL=50ms",
                    // As loan_apply.sim asks: a number registered now may borrow.
                    "HODI_CONFIG=" +
                        (hodi::test::source_dir() / "examples/try-loans.yaml").string()},
                   dir / "hodi.log"),
          log_(dir / "hodi.log") {}

    bool ready() { return hodi::test::wait_for_port(port_, 15s); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/ussd/at"; }
    std::string daraja() const { return "http://127.0.0.1:" + std::to_string(sandbox_port_); }
    std::string log() const { return fs::exists(log_) ? hodi::test::read_file(log_) : ""; }

private:
    unsigned short port_;
    unsigned short sandbox_port_;
    hodi::test::ChildProcess process_;
    fs::path log_;
};

hodi::test::CommandResult play(const std::string& url, const fs::path& script,
                               const std::string& daraja = "http://127.0.0.1:9") {
    return hodi::test::run_command(
        {HODI_BINARY, "sim", "--url", url, "--daraja", daraja, "--script", script.string()}, 90s);
}

std::vector<fs::path> example_scripts() {
    std::vector<fs::path> scripts;
    for (const auto& entry : fs::directory_iterator(hodi::test::source_dir() / "examples")) {
        if (entry.path().extension() == ".sim") scripts.push_back(entry.path());
    }
    std::sort(scripts.begin(), scripts.end());
    return scripts;
}

}  // namespace

TEST_CASE("every example sim script passes against the shipped menu") {
    // Goal: the examples testers copy are true of the menu we ship. Method: start hodi serve,
    // play each examples/*.sim with `hodi sim --script`, require exit 0.
    hodi::test::TempDir temp;
    RunningHodi hodi(temp.path());
    REQUIRE_MESSAGE(hodi.ready(), "hodi serve did not start:\n" << hodi.log());
    const auto scripts = example_scripts();
    REQUIRE(scripts.size() >= 7);
    for (const auto& script : scripts) {
        const auto result = play(hodi.url(), script, hodi.daraja());
        INFO(script.filename().string() << " said:\n" << result.output);
        CHECK(result.exit_code == 0);
        CHECK(result.output.find(": passed (") != std::string::npos);
    }
}

TEST_CASE("a script whose expectation is wrong fails with its file and line") {
    // Goal: a broken expectation can never pass. Method: a script expecting text the main menu
    // lacks on line 3; exit code must be 1 and the message must name wrong.sim:3.
    hodi::test::TempDir temp;
    RunningHodi hodi(temp.path());
    REQUIRE_MESSAGE(hodi.ready(), "hodi serve did not start:\n" << hodi.log());
    const fs::path script = temp.path() / "wrong.sim";
    std::ofstream(script) << "dial\nexpect-con\nexpect There is no such text on this screen\n";
    const auto result = play(hodi.url(), script);
    INFO(result.output);
    CHECK(result.exit_code == 1);
    CHECK(result.output.find("wrong.sim:3: expected the screen to contain") != std::string::npos);
}

TEST_CASE("a server that is not there fails the script at its first hop") {
    // Goal: connection refused is shown as the failure AT would see. Method: no server at all.
    hodi::test::TempDir temp;
    const fs::path script = temp.path() / "nobody.sim";
    std::ofstream(script) << "dial\nexpect-con\n";
    const std::string url =
        "http://127.0.0.1:" + std::to_string(hodi::test::free_loopback_port()) + "/ussd/at";
    const auto result = play(url, script);
    INFO(result.output);
    CHECK(result.exit_code == 1);
    CHECK(result.output.find("nobody.sim:1: hop failed") != std::string::npos);
    CHECK(result.output.find("cannot reach") != std::string::npos);
}
