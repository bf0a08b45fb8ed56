// What keeps one subscriber, or one flood, from starving the others at the USSD door: a hop
// rate per phone, a registration rate per source, and a cap on hops in flight that sheds with a
// fast END instead of queueing, new dials first so that sessions in progress finish.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hodi::adapters {

struct HopLimitSettings {
    // Hops one phone may make per minute (a whole USSD session is ~10-20 hops over up to 3
    // minutes). Refilled continuously; 0 turns the limit off.
    std::uint32_t hops_per_phone_per_minute = 60;
    // Hops in progress at once on this node; past it a hop gets the service-error END at once.
    // New dials are refused from `new_dial_share` of it, so the room left goes to sessions
    // already in progress. 0 turns the cap off.
    std::size_t in_flight_max = 4096;
    double new_dial_share = 0.75;
    // Registrations (pin.register) one source address may start per minute: a flood of made-up
    // numbers creates no more subscribers than this. Behind Africa's Talking every hop comes
    // from a few of its addresses, so this bounds the sign-up rate per AT address: raise it
    // for a campaign. 0 turns the limit off.
    std::uint32_t registrations_per_source_per_minute = 300;
};

// Token buckets keyed by text (a phone, a source address), each holding up to `per_minute`
// and refilled continuously over a minute. They live in a fixed table of `sets_count` sets of
// `ways` slots, a key's set picked by its hash: taking a token allocates nothing and touches one
// set, however many phones dial. A bucket untouched for a minute is full, the same as none, so
// its slot is free for another key. When every way of a set holds a key seen within the minute,
// the fullest bucket gives way (its key starts again full): a crowded table can only loosen a
// limit, never tighten it, and the key at its limit, whose bucket is the emptiest, stays held.
// Two keys with one 64-bit hash share a bucket. Thread-safe.
class KeyedRate {
public:
    // `keys_max`: keys active within a minute that the table holds without evictions (rounded
    // up to whole sets of a power of two).
    explicit KeyedRate(std::uint32_t per_minute, std::size_t keys_max = 1U << 18);
    // Takes one token for `key`; false when it has none left. Always true when the rate is 0.
    bool take(std::string_view key, std::chrono::steady_clock::time_point now);

private:
    static constexpr std::size_t ways = 4;
    static constexpr std::size_t stripe_count = 64;
    struct Slot {
        std::uint64_t key_hash = 0;  // 0: never used
        std::chrono::steady_clock::time_point refilled{};
        double tokens = 0;
    };
    struct alignas(64) Stripe {
        std::mutex mutex;
    };

    std::uint32_t per_minute_;
    std::size_t set_mask_ = 0;
    std::vector<Slot> slots_;
    std::array<Stripe, stripe_count> stripes_{};
};

enum class HopRefusal : std::uint8_t { none, phone_rate, overloaded };

// Thread-safe.
class HopLimits {
public:
    explicit HopLimits(HopLimitSettings settings = {});

    // Counts one hop of `phone` against its rate. `new_dial` (AT's text is empty) is refused
    // first when the node is loaded. An admitted hop holds its in-flight place until
    // finished() is called.
    HopRefusal admit(const std::string& phone, bool new_dial,
                     std::chrono::steady_clock::time_point now);
    void finished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

    // Counts one registration started from `source` (the client address, "" when unknown);
    // false when the source is over its rate.
    bool admit_registration(std::string_view source, std::chrono::steady_clock::time_point now) {
        return registrations_.take(source, now);
    }

    std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

private:
    HopLimitSettings settings_;
    std::atomic<std::size_t> in_flight_{0};
    KeyedRate phones_;
    KeyedRate registrations_;
};

}  // namespace hodi::adapters
