// The fake Daraja's fault plan: seeded dice, and which fault strikes an API call. Each decision
// is a pure function of (seed, kind, index), so a run replays whatever order its events
// interleave in, and nothing is printed: tests print the seed (FakeDaraja::seed()).
#include "adapters/daraja/fake_daraja_impl.hpp"

namespace hodi::adapters::daraja {

namespace {

// SplitMix64's finaliser: a well-mixed 64-bit hash, so neighbouring indices are unrelated.
std::uint64_t mix(std::uint64_t value) {
    value += 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

}  // namespace

std::string_view to_string(FaultKind kind) {
    switch (kind) {
        case FaultKind::spike_arrest:
            return "spike_arrest";
        case FaultKind::server_error:
            return "server_error";
        case FaultKind::hang:
            return "hang";
        case FaultKind::lose_response:
            return "lose_response";
        case FaultKind::drop_callback:
            return "drop_callback";
        case FaultKind::duplicate_callback:
            return "duplicate_callback";
        case FaultKind::extra_delay:
            return "extra_delay";
        case FaultKind::reorder:
            return "reorder";
        case FaultKind::queue_timeout:
            return "queue_timeout";
        case FaultKind::hashed_msisdn:
            return "hashed_msisdn";
    }
    return "unknown";
}

double FaultDice::uniform(FaultKind kind, std::uint64_t index, std::uint64_t salt) const {
    const std::uint64_t hash =
        mix(mix(mix(seed_) ^ (static_cast<std::uint64_t>(kind) + 1)) ^ index) ^ mix(salt + 7);
    // The top 53 bits as a double in [0, 1).
    return static_cast<double>(mix(hash) >> 11) * 0x1.0p-53;
}

bool FaultDice::strikes(const FaultOdds& odds, FaultKind kind, std::uint64_t index) const {
    if (index < odds.first) return true;
    return odds.probability > 0 && uniform(kind, index) < odds.probability;
}

}  // namespace hodi::adapters::daraja

namespace hodi::adapters::daraja::fake {

bool fault_strikes(FakeDaraja::Impl& impl, FaultKind kind, const FaultOdds& odds,
                   std::uint64_t index) {
    if (!impl.dice.strikes(odds, kind, index)) return false;
    impl.state.ledger.faults.push_back(FaultEvent{kind, index});
    return true;
}

std::optional<FaultEvent> roll_api_fault(FakeDaraja::Impl& impl) {
    const FaultPlan& plan = impl.settings.faults;
    const std::lock_guard lock(impl.mutex);
    const std::uint64_t index = impl.state.api_calls++;
    const std::pair<FaultKind, const FaultOdds*> order[] = {
        {FaultKind::spike_arrest, &plan.spike_arrest},
        {FaultKind::server_error, &plan.server_error},
        {FaultKind::hang, &plan.hang},
        {FaultKind::lose_response, &plan.lose_response},
    };
    for (const auto& [kind, odds] : order) {
        if (fault_strikes(impl, kind, *odds, index)) return FaultEvent{kind, index};
    }
    return std::nullopt;
}

}  // namespace hodi::adapters::daraja::fake
