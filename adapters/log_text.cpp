// Escaping log fields and throttling log floods.
#include "adapters/log_text.hpp"

namespace hodi::adapters {

std::string loggable(std::string_view text, std::size_t max) {
    constexpr std::string_view hex = "0123456789abcdef";
    std::string out;
    out.reserve(std::min(text.size(), max) + 8);
    for (std::size_t index = 0; index < text.size(); ++index) {
        if (index == max) {
            out.append("...");
            break;
        }
        const auto byte = static_cast<unsigned char>(text[index]);
        if (byte >= 0x20 && byte < 0x7F && byte != '\\') {
            out.push_back(static_cast<char>(byte));
            continue;
        }
        out.append("\\x");
        out.push_back(hex[byte >> 4]);
        out.push_back(hex[byte & 0x0F]);
    }
    return out;
}

bool LogThrottle::allow(std::chrono::steady_clock::time_point now, std::uint64_t& suppressed) {
    const std::int64_t now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    std::int64_t next = next_ns_.load(std::memory_order_relaxed);
    const std::int64_t step =
        std::chrono::duration_cast<std::chrono::nanoseconds>(interval_).count();
    while (now_ns >= next) {
        if (next_ns_.compare_exchange_weak(next, now_ns + step, std::memory_order_relaxed)) {
            suppressed = held_.exchange(0, std::memory_order_relaxed);
            return true;
        }
    }
    held_.fetch_add(1, std::memory_order_relaxed);
    return false;
}

}  // namespace hodi::adapters
