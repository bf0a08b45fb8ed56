// Times in the bank: whole seconds since the Unix epoch, UTC, which is how every table stores
// them (INTEGER columns), so a database reads the same on any machine and time zone.
#pragma once

#include <chrono>
#include <cstdint>

namespace hodi::storage {

using Seconds = std::chrono::sys_seconds;

inline std::int64_t unix_seconds(Seconds at) { return at.time_since_epoch().count(); }
inline Seconds from_unix_seconds(std::int64_t value) {
    return Seconds{std::chrono::seconds{value}};
}

}  // namespace hodi::storage
