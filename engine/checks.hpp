// Input checks: whether one subscriber entry is acceptable for an input node, and the value to
// keep when it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/language.hpp"
#include "engine/menu.hpp"

namespace hodi::engine {

// An accepted entry in the form it is kept.
struct CheckedEntry {
    std::string value;  ///< amount "1500"/"1500.50"; phone E.164; otherwise the entry as typed
    std::optional<std::int64_t> cents;  ///< amount only
};

// nullopt when the entry fails the check (the caller shows check_reason()).
std::optional<CheckedEntry> check_entry(const InputCheck& check, std::string_view entry);

// Why an entry was refused: the check's own error, else the built-in text for its kind.
const std::string& check_reason(const InputCheck& check, const SystemTexts& texts,
                                Language language);

// Amounts are whole shillings or shillings and one or two decimals ("1500", "1500.5",
// "1500.50"). Thousands commas are accepted when correctly grouped ("1,500", "12,500.50") since
// people copy amounts from SMS receipts that way; "15,00" is refused. Zero is never an amount.
std::optional<std::int64_t> parse_amount_cents(std::string_view entry);

// 150000 -> "1500", 150050 -> "1500.50".
std::string format_shillings(std::int64_t cents);

}  // namespace hodi::engine
