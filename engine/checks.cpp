// Input checks for input nodes (menu.hpp CheckKind), and the amount helpers they use.
#include "engine/checks.hpp"

#include <algorithm>

#include "engine/assert.hpp"
#include "engine/gsm7.hpp"
#include "engine/phone.hpp"

namespace hodi::engine {
namespace {

// 10^13 shillings is far beyond any wallet and keeps cents well inside int64.
constexpr std::size_t shilling_digits_max = 13;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

std::size_t char_count(std::string_view utf8) {
    std::size_t count = 0;
    for (std::size_t index = 0; index < utf8.size(); ++count) next_utf8_char(utf8, index);
    return count;
}

bool length_ok(const InputCheck& check, std::string_view entry) {
    const std::size_t length = char_count(entry);
    return length >= check.min_length && length <= check.max_length;
}

// "12,500" -> "12500"; nullopt when the commas are not thousands separators.
std::optional<std::string> whole_shillings(std::string_view whole) {
    if (whole.find(',') == std::string_view::npos) {
        if (!all_digits(whole)) return std::nullopt;
        return std::string(whole);
    }
    const std::size_t first = whole.find(',');
    if (first == 0 || first > 3 || !all_digits(whole.substr(0, first))) return std::nullopt;
    std::string digits(whole.substr(0, first));
    for (std::size_t comma = first; comma < whole.size(); comma += 4) {
        if (whole[comma] != ',' || comma + 4 > whole.size()) return std::nullopt;
        const std::string_view group = whole.substr(comma + 1, 3);
        if (!all_digits(group)) return std::nullopt;
        digits.append(group);
    }
    return digits;
}

std::optional<std::string> check_value(const InputCheck& check, std::string_view entry) {
    switch (check.kind) {
        case CheckKind::any:
            if (!length_ok(check, entry)) return std::nullopt;
            return std::string(entry);
        case CheckKind::digits:
            if (!all_digits(entry) || !length_ok(check, entry)) return std::nullopt;
            return std::string(entry);
        case CheckKind::pin:
            if (!all_digits(entry) || entry.size() != check.pin_length) return std::nullopt;
            return std::string(entry);
        case CheckKind::phone: {
            const auto msisdn = normalise_msisdn(entry, check.phone_policy);
            if (!msisdn) return std::nullopt;
            return msisdn->e164();
        }
        case CheckKind::regex:
            // InputCheck::matching and the menu loader both set the compiled pattern.
            HODI_ASSERT(check.pattern.has_value());
            if (!length_ok(check, entry) || !check.pattern->matches(entry)) {
                return std::nullopt;
            }
            return std::string(entry);
        case CheckKind::amount:
            break;
    }
    HODI_ASSERT(false && "amounts are checked by check_amount");
    return std::nullopt;
}

std::optional<CheckedEntry> check_amount(const InputCheck& check, std::string_view entry) {
    const auto cents = parse_amount_cents(entry);
    if (!cents || *cents < check.min_cents) return std::nullopt;
    if (check.max_cents > 0 && *cents > check.max_cents) return std::nullopt;
    return CheckedEntry{format_shillings(*cents), cents};
}

}  // namespace

std::optional<std::int64_t> parse_amount_cents(std::string_view entry) {
    const std::size_t dot = entry.find('.');
    const auto whole = whole_shillings(entry.substr(0, dot));
    if (!whole || whole->size() > shilling_digits_max) return std::nullopt;
    std::int64_t cents = 0;
    for (const char c : *whole) cents = cents * 10 + (c - '0');
    cents *= 100;
    if (dot != std::string_view::npos) {
        const std::string_view fraction = entry.substr(dot + 1);
        if (fraction.empty() || fraction.size() > 2 || !all_digits(fraction)) return std::nullopt;
        cents += (fraction[0] - '0') * 10 + (fraction.size() == 2 ? fraction[1] - '0' : 0);
    }
    if (cents <= 0) return std::nullopt;
    return cents;
}

std::string format_shillings(std::int64_t cents) {
    std::string text = std::to_string(cents / 100);
    const auto fraction = cents % 100;
    if (fraction != 0) {
        text.push_back('.');
        text.push_back(static_cast<char>('0' + fraction / 10));
        text.push_back(static_cast<char>('0' + fraction % 10));
    }
    return text;
}

std::optional<CheckedEntry> check_entry(const InputCheck& check, std::string_view entry) {
    if (entry.size() > input_chars_max) return std::nullopt;
    if (check.kind == CheckKind::amount) return check_amount(check, entry);
    auto value = check_value(check, entry);
    if (!value) return std::nullopt;
    return CheckedEntry{std::move(*value), std::nullopt};
}

const std::string& check_reason(const InputCheck& check, const SystemTexts& texts,
                                Language language) {
    if (check.error) return check.error->in(language);
    switch (check.kind) {
        case CheckKind::digits: return texts.invalid_digits.in(language);
        case CheckKind::amount: return texts.invalid_amount.in(language);
        case CheckKind::pin: return texts.invalid_pin.in(language);
        case CheckKind::phone: return texts.invalid_phone.in(language);
        case CheckKind::any:
        case CheckKind::regex: break;
    }
    return texts.invalid_entry.in(language);
}

}  // namespace hodi::engine
