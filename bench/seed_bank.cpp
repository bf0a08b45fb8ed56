// Registers subscribers +254700000001..N, each with one PIN and one savings goal (School,
// KES 5,000 in 10 weeks), in a hodi bank, for benchmarks that replay registered callers
// (bench_ussd_load --callers N). The PIN hash uses the minimum argon2 cost, so serve the bank
// with HODI_PIN_HASH_COST=minimum and the same pepper. Then it times PIN verifications at that
// cost on this thread and prints the median microseconds of one as JSON on stdout
// ({"pin_verify_us":N}): the hash a PIN hop pays whatever the store, for benchmarks to set
// beside their hop rates.
//
// Usage: bench_seed_bank --db FILE --pepper TEXT [--callers N] [--pin 1234]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "storage/bank/pins/pin_hasher.hpp"
#include "storage/bank/money/savings.hpp"
#include "storage/bank/sql/store.hpp"
#include "storage/bank/money/users.hpp"

namespace {

using namespace hodi::storage;

struct Options {
    std::string db;
    std::string pepper;
    int callers = 1000;
    std::string pin = "1234";
};

bool parse(int argc, char** argv, Options& options) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i], value = argv[i + 1];
        if (name == "--db") {
            options.db = value;
        } else if (name == "--pepper") {
            options.pepper = value;
        } else if (name == "--callers") {
            options.callers = std::stoi(value);
        } else if (name == "--pin") {
            options.pin = value;
        } else {
            return false;
        }
    }
    return argc % 2 == 1 && !options.db.empty() && !options.pepper.empty() &&
           options.callers > 0;
}

// The median of 101 timed verifications (after 20 untimed ones warm the caches).
double median_verify_us(const PinHasher& hasher, const std::string& hash, const std::string& pin) {
    constexpr int warm_up = 20;
    constexpr int samples = 101;
    std::vector<double> micros;
    for (int i = 0; i < warm_up + samples; ++i) {
        const auto started = std::chrono::steady_clock::now();
        const bool right = hasher.verify(hash, pin);
        const std::chrono::duration<double, std::micro> took =
            std::chrono::steady_clock::now() - started;
        if (!right) return -1;
        if (i >= warm_up) micros.push_back(took.count());
    }
    std::nth_element(micros.begin(), micros.begin() + samples / 2, micros.end());
    return micros[samples / 2];
}

// Registers the callers +2547<first> to +2547<last> (8 digits), each with the PIN hash and one
// goal. Spelled out as result<bool>: it would take a bare error_code as a bool.
boost::system::result<bool> register_callers(Connection& db, int first, int last,
                                             const std::string& hash, Seconds now) {
    using Failure = boost::system::result<bool>;
    for (int index = first; index <= last; ++index) {
        char phone[16];
        std::snprintf(phone, sizeof phone, "+2547%08d", index);
        auto user = ensure_user(db, phone, hodi::engine::Language::en, now);
        if (!user) return Failure(boost::system::in_place_error, user.error());
        if (auto set = set_pin_hash(db, user->id, hash); !set) {
            return Failure(boost::system::in_place_error, set.error());
        }
        auto goal = create_goal(db, user->id, phone, "School", 500'000, 10, now);
        if (!goal) return Failure(boost::system::in_place_error, goal.error());
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse(argc, argv, options)) {
        std::fprintf(stderr, "usage: see the header of bench/seed_bank.cpp\n");
        return 2;
    }
    auto store = Store::open(StoreSettings{.path = options.db});
    if (!store) {
        std::fprintf(stderr, "cannot open %s: %s\n", options.db.c_str(),
                     store.error().message().c_str());
        return 1;
    }
    PinSettings settings = pin_settings_for_tests();
    settings.pepper = options.pepper;
    const PinHasher hasher(settings);
    const auto hash = hasher.hash(options.pin);
    if (!hash) return 1;
    const Seconds now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    // A thousand callers to a transaction: seeding 200,000 takes seconds, not one fsync each.
    constexpr int callers_per_transaction = 1000;
    for (int first = 1; first <= options.callers; first += callers_per_transaction) {
        const int last = std::min(options.callers, first + callers_per_transaction - 1);
        auto done = (*store)->write_now<bool>(
            [first, last, &hash, now](Connection& db) -> boost::system::result<bool> {
                return register_callers(db, first, last, *hash, now);
            });
        if (!done) {
            std::fprintf(stderr, "cannot register callers %d to %d: %s\n", first, last,
                         done.error().message().c_str());
            return 1;
        }
    }
    std::fprintf(stderr, "registered %d subscribers in %s\n", options.callers,
                 options.db.c_str());
    std::printf("{\"pin_verify_us\":%.1f}\n", median_verify_us(hasher, *hash, options.pin));
    return 0;
}
