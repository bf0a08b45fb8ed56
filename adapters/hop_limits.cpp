// Token buckets per phone and per source, and the in-flight cap.
#include "adapters/hop_limits.hpp"

#include <algorithm>
#include <functional>

namespace hodi::adapters {

namespace {

constexpr std::chrono::minutes refill_period{1};
// A shard is swept of full buckets (keys idle for a minute) after this many takes, so the map
// holds the keys active in the last minute, not every key ever seen.
constexpr std::size_t sweep_every = 4096;

}  // namespace

HopLimits::HopLimits(HopLimitSettings settings)
    : settings_(settings),
      phones_(settings.hops_per_phone_per_minute),
      registrations_(settings.registrations_per_source_per_minute) {}

bool KeyedRate::take(const std::string& key, std::chrono::steady_clock::time_point now) {
    if (per_minute_ == 0) return true;
    const double capacity = per_minute_;
    const double per_second = capacity / std::chrono::duration<double>(refill_period).count();
    Shard& shard = shards_[std::hash<std::string>{}(key) % shard_count];
    const std::lock_guard lock(shard.mutex);
    if (++shard.takes_since_sweep >= sweep_every) {
        shard.takes_since_sweep = 0;
        std::erase_if(shard.buckets, [now](const auto& entry) {
            return now - entry.second.refilled >= refill_period;
        });
    }
    const auto [found, fresh] = shard.buckets.try_emplace(key, Bucket{capacity, now});
    Bucket& bucket = found->second;
    if (!fresh) {
        const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
        bucket.tokens = std::min(capacity, bucket.tokens + std::max(0.0, elapsed) * per_second);
        bucket.refilled = now;
    }
    if (bucket.tokens < 1.0) return false;
    bucket.tokens -= 1.0;
    return true;
}

std::size_t KeyedRate::tracked() const {
    std::size_t count = 0;
    for (const Shard& shard : shards_) {
        const std::lock_guard lock(shard.mutex);
        count += shard.buckets.size();
    }
    return count;
}

HopRefusal HopLimits::admit(const std::string& phone, bool new_dial,
                            std::chrono::steady_clock::time_point now) {
    if (settings_.in_flight_max > 0) {
        const std::size_t limit =
            new_dial ? static_cast<std::size_t>(static_cast<double>(settings_.in_flight_max) *
                                                settings_.new_dial_share)
                     : settings_.in_flight_max;
        if (in_flight_.fetch_add(1, std::memory_order_relaxed) >= limit) {
            in_flight_.fetch_sub(1, std::memory_order_relaxed);
            return HopRefusal::overloaded;
        }
    } else {
        in_flight_.fetch_add(1, std::memory_order_relaxed);
    }
    if (!phones_.take(phone, now)) {
        in_flight_.fetch_sub(1, std::memory_order_relaxed);
        return HopRefusal::phone_rate;
    }
    return HopRefusal::none;
}

}  // namespace hodi::adapters
