// Token buckets per phone and per source, and the in-flight cap.
#include "adapters/hop_limits.hpp"

#include <algorithm>
#include <functional>

namespace hodi::adapters {

namespace {

constexpr std::chrono::minutes refill_period{1};
// Sources are a handful of AT addresses: a small table holds them all.
constexpr std::size_t sources_max = 4096;

std::size_t power_of_two_at_least(std::size_t value) {
    std::size_t out = 1;
    while (out < value) out <<= 1;
    return out;
}

}  // namespace

KeyedRate::KeyedRate(std::uint32_t per_minute, std::size_t keys_max) : per_minute_(per_minute) {
    if (per_minute_ == 0) return;  // nothing is ever counted
    const std::size_t sets = power_of_two_at_least(std::max<std::size_t>(keys_max / ways, 1));
    set_mask_ = sets - 1;
    slots_.resize(sets * ways);
}

bool KeyedRate::take(std::string_view key, std::chrono::steady_clock::time_point now) {
    if (per_minute_ == 0) return true;
    const double capacity = per_minute_;
    const double per_second = capacity / std::chrono::duration<double>(refill_period).count();
    const std::uint64_t key_hash = std::max<std::uint64_t>(std::hash<std::string_view>{}(key), 1);
    const std::size_t set = key_hash & set_mask_;
    const std::lock_guard lock(stripes_[set % stripe_count].mutex);
    Slot* const first = &slots_[set * ways];
    // A bucket's tokens as of now: what makes one fuller than another.
    const auto refilled = [&](const Slot& slot) {
        const double elapsed = std::chrono::duration<double>(now - slot.refilled).count();
        return std::min(capacity, slot.tokens + std::max(0.0, elapsed) * per_second);
    };
    Slot* bucket = nullptr;
    Slot* idle = nullptr;
    Slot* fullest = first;
    for (Slot* slot = first; slot != first + ways; ++slot) {
        if (slot->key_hash == key_hash) {
            bucket = slot;
            break;
        }
        if (slot->key_hash == 0 || now - slot->refilled >= refill_period) {
            if (idle == nullptr) idle = slot;
        } else if (refilled(*slot) > refilled(*fullest)) {
            fullest = slot;
        }
    }
    if (bucket == nullptr) {
        bucket = idle != nullptr ? idle : fullest;
        *bucket = Slot{key_hash, now, capacity};
    } else {
        bucket->tokens = refilled(*bucket);
        bucket->refilled = now;
    }
    if (bucket->tokens < 1.0) return false;
    bucket->tokens -= 1.0;
    return true;
}

HopLimits::HopLimits(HopLimitSettings settings)
    : settings_(settings),
      phones_(settings.hops_per_phone_per_minute),
      registrations_(settings.registrations_per_source_per_minute, sources_max) {}

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
