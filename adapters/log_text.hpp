// Text from the network on its way into a log line: escaped, so that a CR or LF in a field
// cannot forge a log entry, and cut, so that one field cannot fill the log.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hodi::adapters {

inline constexpr std::size_t loggable_chars_max = 200;

// `text` with every byte outside printable ASCII, and the backslash, written as \xNN; longer
// than `max` it is cut there and "..." appended.
std::string loggable(std::string_view text, std::size_t max = loggable_chars_max);

// Lets one log line through per interval, and counts the ones it held back, so that a flood
// (refused callbacks, EMFILE) costs one line a minute instead of one per event. Thread-safe.
class LogThrottle {
public:
    explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

    // True when a line may be written now; `suppressed` then holds how many were held back
    // since the last one.
    bool allow(std::chrono::steady_clock::time_point now, std::uint64_t& suppressed);

private:
    std::chrono::steady_clock::duration interval_;
    std::atomic<std::int64_t> next_ns_{0};
    std::atomic<std::uint64_t> held_{0};
};

}  // namespace hodi::adapters
