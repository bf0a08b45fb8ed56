// The PIN lockout ladder and the weak-PIN rule.
#include "storage/bank/pins/pin_policy.hpp"

#include <algorithm>

namespace hodi::storage {

PinLock after_pin_attempt(PinLock lock, bool right, Seconds now) {
    if (right) return PinLock{};
    lock.failed_pins += 1;
    if (lock.failed_pins < pin_tries_per_stage) return lock;
    lock.failed_pins = 0;
    lock.lock_stage = std::min(lock.lock_stage + 1, pin_operator_lock_stage);
    if (lock.lock_stage == 1) lock.locked_until = now + pin_first_lock;
    if (lock.lock_stage == 2) lock.locked_until = now + pin_second_lock;
    return lock;
}

bool pin_well_formed(std::string_view pin) {
    return pin.size() == pin_digits &&
           std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool pin_weak(std::string_view pin) {
    if (!pin_well_formed(pin)) return true;
    bool same = true;
    bool up = true;
    bool down = true;
    for (std::size_t i = 1; i < pin.size(); ++i) {
        same = same && pin[i] == pin[0];
        up = up && pin[i] == pin[i - 1] + 1;
        down = down && pin[i] == pin[i - 1] - 1;
    }
    return same || up || down;
}

}  // namespace hodi::storage
