// The real `hodi serve` under floods it must survive: sockets opened and left silent past its
// file-descriptor limit. Bounded in count and time; stops by itself.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <csignal>
#include <string>
#include <vector>

#include "adapters/form.hpp"
#include "adapters/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
using tcp = boost::asio::ip::tcp;

constexpr int descriptor_limit = 1024;
constexpr int silent_sockets = 1100;
constexpr int dials = 100;

std::size_t count_of(const std::string& text, std::string_view needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

}  // namespace

TEST_CASE("1,100 silent sockets at a 1,024 descriptor limit do not lock out dialling") {
    // Goal: holding sockets open costs an attacker as much as it costs hodi: each connection
    // that speaks evicts a silent one, and running out of descriptors is logged once, not
    // every 50 ms. Method: hodi under `ulimit -n 1024`; open 1,100 sockets that say nothing,
    // then dial 100 times, each on a new connection; at least 95 must be answered.
    const TempDir dir;
    const unsigned short port = free_loopback_port();
    ChildProcess hodi({"/bin/sh", "-c",
                       "ulimit -n " + std::to_string(descriptor_limit) + " && exec \"$0\" serve",
                       HODI_BINARY},
                      {"HODI_LISTEN=127.0.0.1:" + std::to_string(port), "HODI_THREADS=1",
                       "HODI_ACTIONS=demo",
                       "HODI_MENU=" + (source_dir() / "menus/hodi.yaml").string()},
                      dir.path() / "hodi.log");
    REQUIRE(wait_for_port(port, 20s));

    boost::asio::io_context io;
    std::vector<tcp::socket> silent;
    silent.reserve(silent_sockets);
    int connected = 0;
    for (int index = 0; index < silent_sockets; ++index) {
        tcp::socket socket(io);
        boost::system::error_code ec;
        socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
        if (!ec) ++connected;
        silent.push_back(std::move(socket));
    }
    CHECK(connected > descriptor_limit);

    int answered = 0;
    for (int dial = 0; dial < dials; ++dial) {
        adapters::HttpClient client("127.0.0.1", port);
        const std::string body = adapters::form_encode(
            {{"sessionId", "ATUid_flood_" + std::to_string(dial)},
             {"serviceCode", "*384*2470#"},
             {"phoneNumber", "+2547120" + std::to_string(10'000 + dial)},
             {"networkCode", "63902"},
             {"text", ""}});
        const auto reply = client.post_form("/ussd/at", body);
        if (reply && reply->status == 200 && reply->body.starts_with("CON ")) ++answered;
    }
    MESSAGE("silent sockets connected: " << connected << ", dials answered: " << answered
                                         << " of " << dials);
    CHECK(answered >= dials * 95 / 100);
    silent.clear();
    hodi.signal(SIGTERM);
    CHECK(hodi.wait(15s) == 0);
    const std::string log = read_file(dir.path() / "hodi.log");
    CHECK(count_of(log, "http accept failed") <= 2);
}

}  // namespace hodi::test
