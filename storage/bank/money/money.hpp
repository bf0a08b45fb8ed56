// Money as integer cents of a shilling (KES): parsing what subscribers type and formatting what
// they read. Floating point never touches an amount.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hodi::storage {

using Cents = std::int64_t;

// The largest amount one transfer may move: KES 10 billion, far above any M-Pesa limit, and far
// enough below INT64_MAX that summing every balance in the book can never overflow.
inline constexpr Cents transfer_cents_max = 1'000'000'000'000;

// "1500" -> 150000, "1500.5" -> 150050, "1500.50" -> 150050. nullopt for anything else: signs,
// separators, more than two decimals, empty text, or more than transfer_cents_max.
std::optional<Cents> parse_shillings(std::string_view text);

// 150000 -> "1,500", 150050 -> "1,500.50", -2500 -> "-25". Cents appear only when non-zero, so
// whole amounts read the way subscribers write them.
std::string format_cents(Cents amount);

}  // namespace hodi::storage
