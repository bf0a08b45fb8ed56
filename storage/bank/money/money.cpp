// Parses shillings text to cents and formats cents for screens and SMS.
#include "storage/bank/money/money.hpp"

namespace hodi::storage {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::optional<Cents> parse_shillings(std::string_view text) {
    // Thirteen integer digits already exceed transfer_cents_max; stopping early keeps the
    // arithmetic below from overflowing on absurd input.
    constexpr std::size_t integer_digits_max = 13;
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view fraction =
        dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty() || whole.size() > integer_digits_max) return std::nullopt;
    if (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 2)) {
        return std::nullopt;
    }
    Cents value = 0;
    for (const char c : whole) {
        if (!is_digit(c)) return std::nullopt;
        value = value * 10 + (c - '0');
    }
    value *= 100;
    Cents scale = 10;
    for (const char c : fraction) {
        if (!is_digit(c)) return std::nullopt;
        value += (c - '0') * scale;
        scale /= 10;
    }
    if (value > transfer_cents_max) return std::nullopt;
    return value;
}

std::string format_cents(Cents amount) {
    // Work on the magnitude as unsigned so INT64_MIN has a representation too.
    const bool negative = amount < 0;
    const std::uint64_t magnitude =
        negative ? std::uint64_t{0} - static_cast<std::uint64_t>(amount)
                 : static_cast<std::uint64_t>(amount);
    const std::string digits = std::to_string(magnitude / 100);
    std::string text;
    text.reserve(digits.size() + digits.size() / 3 + 5);
    if (negative) text.push_back('-');
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) text.push_back(',');
        text.push_back(digits[i]);
    }
    const auto cents = static_cast<unsigned>(magnitude % 100);
    if (cents != 0) {
        text.push_back('.');
        text.push_back(static_cast<char>('0' + cents / 10));
        text.push_back(static_cast<char>('0' + cents % 10));
    }
    return text;
}

}  // namespace hodi::storage
