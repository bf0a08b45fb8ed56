// Times in the bank: whole seconds since the Unix epoch, UTC, which is how every table stores
// them (INTEGER columns), so a database reads the same on any machine and time zone.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace hodi::storage {

using Seconds = std::chrono::sys_seconds;

inline constexpr int seconds_per_day = 86'400;

inline std::int64_t unix_seconds(Seconds at) { return at.time_since_epoch().count(); }
inline Seconds from_unix_seconds(std::int64_t value) {
    return Seconds{std::chrono::seconds{value}};
}

// "dd/mm/yyyy" (UTC), as the loan and savings screens show dates.
inline std::string format_date(Seconds at) {
    const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(at)};
    char date[16];
    std::snprintf(date, sizeof date, "%02u/%02u/%04d", static_cast<unsigned>(day.day()),
                  static_cast<unsigned>(day.month()), static_cast<int>(day.year()));
    return date;
}

}  // namespace hodi::storage
