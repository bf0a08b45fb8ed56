// PIN rules without I/O: what counts as weak, and how wrong PINs escalate to locks.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "storage/bank/sql/unix_time.hpp"

namespace hodi::storage {

inline constexpr std::size_t pin_digits = 4;
// Wrong PINs allowed before each lock.
inline constexpr int pin_tries_per_stage = 3;
inline constexpr std::chrono::hours pin_first_lock{1};
inline constexpr std::chrono::hours pin_second_lock{24};
// After the second lock expires, three more wrong PINs lock the user until an operator runs
// `hodi admin unlock`.
inline constexpr int pin_operator_lock_stage = 3;

// A user's PIN counters as stored in SQLite (users.failed_pins, lock_stage, locked_until).
struct PinLock {
    int failed_pins = 0;   ///< wrong PINs since the last lock or right PIN
    int lock_stage = 0;    ///< locks imposed so far: 1 (1 h), 2 (24 h), 3 (operator only)
    Seconds locked_until{};

    bool locked(Seconds now) const {
        return lock_stage >= pin_operator_lock_stage || now < locked_until;
    }
    int tries_left() const { return pin_tries_per_stage - failed_pins; }
};

// The counters after one attempt by an unlocked user. A right PIN clears everything: whoever
// typed it holds the PIN, so earlier mistakes say nothing more.
PinLock after_pin_attempt(PinLock lock, bool right, Seconds now);

// Four digits, neither all one digit nor a run (1234, 9876): those are guessed first.
bool pin_well_formed(std::string_view pin);
bool pin_weak(std::string_view pin);

}  // namespace hodi::storage
