// USSD load generator: N keep-alive connections, each replaying whole multi-hop sessions in
// Africa's Talking's exact callback format (new sessionId per session, `text` accumulating the
// inputs, hops sequential within a session). Prints one JSON line for scripts.
//
// Usage: bench_ussd_load [--target HOST:PORT] [--path /ussd/at] [--connections N]
//                        [--warmup SECONDS] [--duration SECONDS] [--inputs 1234,1,1]
//                        [--label NAME] [--early-end error|ok] [--rate HOPS_PER_SECOND]
//                        [--callers N]          (--inputs -: sessions of one dial hop)
// One thread. Every reply must be 200 and start "CON " or "END "; a session that ends before
// its last input counts as an error too (the path no longer matches the menu), unless
// --early-end ok, for the ceiling server, which answers "END ok" to everything.
//
// Without --rate every connection sends its next hop as soon as the last reply arrives
// (saturation: latency then grows with connections / throughput). With --rate, hops are paced
// to that total offered load, spread over the connections, and each hop's latency is counted
// from when it was due, so a slow server cannot hide its queueing (coordinated omission).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "adapters/http_client.hpp"
#include "app/sim.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds hop_timeout{5};  // a hop slower than this is an error anyway
constexpr std::chrono::milliseconds reconnect_delay{100};

struct Config {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;
    std::string path = "/ussd/at";
    int connections = 64;
    int warmup_seconds = 2;
    int duration_seconds = 10;
    // Registered caller -> main menu (user.lookup runs) -> Wallet -> Balance -> PIN -> END
    // (balance runs): four hops, two of them running an action.
    std::vector<std::string> inputs{"1234", "1", "1"};
    std::string label = "hodi";
    bool early_end_ok = false;
    double rate = 0;  ///< total hops per second offered; 0: as fast as replies come back
    // 0: a new caller for (almost) every session; N: the callers +254700000001..N in turn, the
    // subscribers bench_seed_bank registers in a bank.
    int callers = 0;
};

struct Stats {
    Clock::time_point measure_from;
    Clock::time_point measure_until;
    std::vector<std::uint32_t> latencies_us;  ///< hops completed inside the window
    std::uint64_t sessions = 0;               ///< sessions finished inside the window
    std::uint64_t errors = 0;                 ///< all errors, warm-up included
    std::string first_error;

    void error(std::string what) {
        if (errors++ == 0) first_error = std::move(what);
    }
};

// splitmix64's finaliser: consecutive inputs give unrelated outputs, the same input the same.
std::uint64_t scatter(std::uint64_t value) {
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

// A caller that user.lookup treats as registered: the demo data treats numbers ending in 0000
// as new subscribers, which would send the session to registration.
std::string caller(int connection, std::uint64_t session, int callers) {
    if (callers > 0) {
        char phone[16];
        // Scattered, as real callers arrive: replaying numbers in order would read the bank's
        // pages in order too, and flatter its caches.
        auto number = scatter((static_cast<std::uint64_t>(connection) << 32) ^ session) %
                          static_cast<std::uint64_t>(callers) +
                      1;
        if (number % 10'000 == 0) --number;  // registered too, and not new to the demo data
        std::snprintf(phone, sizeof phone, "+2547%08llu", static_cast<unsigned long long>(number));
        return phone;
    }
    std::uint64_t digits = (static_cast<std::uint64_t>(connection) * 1'000'003 + session) %
                           100'000'000;
    if (digits % 10'000 == 0) ++digits;
    char phone[16];
    std::snprintf(phone, sizeof phone, "+2547%08llu", static_cast<unsigned long long>(digits));
    return phone;
}

// Sends one hop; returns false (after counting the error) when the connection is unusable or
// the reply is not what AT would accept.
// Parameters are pointers (values) into the caller's frame, which awaits this coroutine.
net::awaitable<bool> hop(beast::tcp_stream* stream_ptr, beast::flat_buffer* buffer_ptr,
                         const Config* config_ptr, Stats* stats_ptr, std::string body,
                         bool last, Clock::time_point due) {
    beast::tcp_stream& stream = *stream_ptr;
    beast::flat_buffer& buffer = *buffer_ptr;
    const Config& config = *config_ptr;
    Stats& stats = *stats_ptr;
    http::request<http::string_body> request{http::verb::post, config.path, 11};
    request.set(http::field::host, config.host);
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
    request.body() = std::move(body);
    request.prepare_payload();
    const auto started = std::min(due, Clock::now());
    stream.expires_after(hop_timeout);
    auto [write_ec, written] =
        co_await http::async_write(stream, request, net::as_tuple(net::use_awaitable));
    if (write_ec) {
        stats.error("write: " + write_ec.message());
        co_return false;
    }
    http::response<http::string_body> response;
    auto [read_ec, read] =
        co_await http::async_read(stream, buffer, response, net::as_tuple(net::use_awaitable));
    const auto finished = Clock::now();
    if (read_ec) {
        stats.error("read: " + read_ec.message());
        co_return false;
    }
    const std::string& reply = response.body();
    const bool end = reply.starts_with("END ");
    if (response.result_int() != 200 || (!end && !reply.starts_with("CON "))) {
        stats.error("bad reply " + std::to_string(response.result_int()) + ": " +
                    reply.substr(0, 80));
        co_return false;
    }
    if (end && !last && !config.early_end_ok) {
        stats.error("session ended early: " + reply.substr(0, 80));
        co_return false;
    }
    if (started >= stats.measure_from && finished <= stats.measure_until) {
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(finished - started).count();
        stats.latencies_us.push_back(static_cast<std::uint32_t>(micros));
    }
    co_return response.keep_alive();
}

// Replays sessions on one connection until the window closes; reconnects after an error.
net::awaitable<void> run_connection(const Config* config, Stats* stats, int index) {
    const auto executor = co_await net::this_coro::executor;
    const tcp::endpoint endpoint(net::ip::make_address(config->host), config->port);
    std::mt19937_64 random(static_cast<std::uint64_t>(index) * 7919 + 1);
    const std::string service_code = "*384*1234#", network = "99999";
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    const auto interval = config->rate > 0
                              ? std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(config->connections /
                                                                  config->rate))
                              : Clock::duration::zero();
    net::steady_timer pace(executor);
    // Connections start spread over one interval, so paced hops do not arrive in bursts.
    auto due = Clock::now() + interval * index / config->connections;
    for (std::uint64_t session = 0; Clock::now() < stats->measure_until; ++session) {
        if (!stream) {
            stream.emplace(executor);
            stream->expires_after(hop_timeout);
            auto [ec] =
                co_await stream->async_connect(endpoint, net::as_tuple(net::use_awaitable));
            if (ec) {
                stats->error("connect: " + ec.message());
                stream.reset();
                net::steady_timer timer(executor, reconnect_delay);
                co_await timer.async_wait(net::as_tuple(net::use_awaitable));
                continue;
            }
            stream->socket().set_option(tcp::no_delay(true));
            buffer.clear();
        }
        const std::string session_id = hodi::app::new_session_id(random);
        const std::string phone = caller(index, session, config->callers);
        std::string text;
        bool ok = true;
        for (std::size_t step = 0; ok && step <= config->inputs.size(); ++step) {
            if (step > 0) {
                if (step > 1) text += '*';
                text += config->inputs[step - 1];
            }
            std::string body = hodi::adapters::form_encode({{"sessionId", session_id},
                                                            {"serviceCode", service_code},
                                                            {"phoneNumber", phone},
                                                            {"networkCode", network},
                                                            {"text", text}});
            if (config->rate > 0) {
                pace.expires_at(due);
                co_await pace.async_wait(net::as_tuple(net::use_awaitable));
            } else {
                due = Clock::now();
            }
            ok = co_await hop(&*stream, &buffer, config, stats, std::move(body),
                              step == config->inputs.size(), due);
            due += interval;
        }
        if (!ok) {
            stream.reset();
            continue;
        }
        const auto now = Clock::now();
        if (now >= stats->measure_from && now <= stats->measure_until) ++stats->sessions;
    }
}

bool parse_args(int argc, char** argv, Config& config) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i], value = argv[i + 1];
        if (name == "--target") {
            const auto colon = value.rfind(':');
            if (colon == std::string::npos) return false;
            config.host = value.substr(0, colon);
            config.port = static_cast<unsigned short>(std::stoi(value.substr(colon + 1)));
        } else if (name == "--path") {
            config.path = value;
        } else if (name == "--connections") {
            config.connections = std::clamp(std::stoi(value), 1, 10'000);
        } else if (name == "--warmup") {
            config.warmup_seconds = std::clamp(std::stoi(value), 0, 60);
        } else if (name == "--duration") {
            config.duration_seconds = std::clamp(std::stoi(value), 1, 300);
        } else if (name == "--early-end" && (value == "ok" || value == "error")) {
            config.early_end_ok = value == "ok";
        } else if (name == "--rate") {
            config.rate = std::clamp(std::stod(value), 0.0, 10'000'000.0);
        } else if (name == "--callers") {
            config.callers = std::clamp(std::stoi(value), 0, 99'999'999);
        } else if (name == "--label") {
            config.label = value;
        } else if (name == "--inputs") {
            config.inputs.clear();
            if (value == "-") continue;  // no inputs: every session is the dial hop alone
            for (std::size_t start = 0; start <= value.size();) {
                const auto comma = std::min(value.find(',', start), value.size());
                config.inputs.push_back(value.substr(start, comma - start));
                start = comma + 1;
            }
        } else {
            return false;
        }
    }
    return argc % 2 == 1;
}

double percentile_ms(const std::vector<std::uint32_t>& sorted, double fraction) {
    if (sorted.empty()) return 0.0;
    const auto rank = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size()));
    const auto index = std::min(sorted.size() - 1, rank);
    return sorted[index] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
    Config config;
    if (!parse_args(argc, argv, config)) {
        std::fprintf(stderr, "usage: see the header of bench/ussd_load.cpp\n");
        return 2;
    }
    Stats stats;
    stats.measure_from = Clock::now() + std::chrono::seconds(config.warmup_seconds);
    stats.measure_until = stats.measure_from + std::chrono::seconds(config.duration_seconds);
    stats.latencies_us.reserve(1 << 20);
    net::io_context ioc{1};
    for (int i = 0; i < config.connections; ++i) {
        net::co_spawn(ioc, run_connection(&config, &stats, i), net::detached);
    }
    ioc.run();
    auto& latencies = stats.latencies_us;
    std::sort(latencies.begin(), latencies.end());
    const double hops_per_s = static_cast<double>(latencies.size()) / config.duration_seconds;
    std::printf("{\"label\":\"%s\",\"rate\":%.0f,\"connections\":%d,\"seconds\":%d,\"hops\":%zu,"
                "\"sessions\":%llu,\"hops_per_s\":%.0f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
                "\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,\"errors\":%llu}\n",
                config.label.c_str(), config.rate, config.connections, config.duration_seconds,
                latencies.size(), static_cast<unsigned long long>(stats.sessions), hops_per_s,
                percentile_ms(latencies, 0.50), percentile_ms(latencies, 0.90),
                percentile_ms(latencies, 0.99), percentile_ms(latencies, 0.999),
                latencies.empty() ? 0.0 : latencies.back() / 1000.0,
                static_cast<unsigned long long>(stats.errors));
    if (stats.errors > 0) std::fprintf(stderr, "first error: %s\n", stats.first_error.c_str());
    return stats.errors > 0 ? 1 : 0;
}
