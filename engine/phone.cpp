// Kenyan MSISDN normalisation, PROTOCOLS.md §4: every accepted spelling becomes a 9-digit NSN.
#include "engine/phone.hpp"

#include <algorithm>

namespace hodi::engine {
namespace {

constexpr std::size_t nsn_digits = 9;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Removes the separators people type or paste ("0712 345-678", "(0712)"), keeping a leading
// '+'. nullopt when anything else that is not a digit remains.
std::optional<std::string> strip_separators(std::string_view input) {
    std::string digits;
    digits.reserve(input.size());
    for (const char c : input) {
        if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
        if (c == '+' && digits.empty()) {
            digits.push_back(c);
            continue;
        }
        if (!is_digit(c)) return std::nullopt;
        digits.push_back(c);
    }
    return digits;
}

// What follows a country code: 9 digits, or a kept trunk '0' and 9 digits.
std::optional<std::string_view> after_country_code(std::string_view rest) {
    if (rest.size() == nsn_digits + 1 && rest.front() == '0') rest.remove_prefix(1);
    if (rest.size() != nsn_digits) return std::nullopt;
    return rest;
}

std::optional<std::string_view> national_number(std::string_view digits) {
    if (digits.starts_with('+')) {
        digits.remove_prefix(1);
        if (!digits.starts_with("254")) return std::nullopt;
        return after_country_code(digits.substr(3));
    }
    // Kenya's international prefix is 000; 00 is what most handsets and foreigners type.
    for (const std::string_view prefix : {"000254", "00254", "254"}) {
        if (digits.starts_with(prefix) && digits.size() >= prefix.size() + nsn_digits) {
            return after_country_code(digits.substr(prefix.size()));
        }
    }
    if (digits.size() == nsn_digits + 1 && digits.front() == '0') return digits.substr(1);
    if (digits.size() == nsn_digits) return digits;
    return std::nullopt;
}

bool in_range(char c, char low, char high) { return c >= low && c <= high; }

// libphonenumber's KE mobile pattern: (?:1(?:0[0-8]|[18]\d|2[014]|3[05-9]|4[0-6])|7\d\d)\d{6}.
bool is_strict_mobile(std::string_view nsn) {
    if (nsn[0] == '7') return true;
    const char second = nsn[1];
    const char third = nsn[2];
    switch (second) {
        case '0': return in_range(third, '0', '8');
        case '1': case '8': return true;
        case '2': return third == '0' || third == '1' || third == '4';
        case '3': return third == '0' || in_range(third, '5', '9');
        case '4': return in_range(third, '0', '6');
        default: return false;
    }
}

}  // namespace

std::optional<Msisdn> normalise_msisdn(std::string_view input, PhonePolicy policy) {
    const auto digits = strip_separators(input);
    if (!digits) return std::nullopt;
    const auto nsn = national_number(*digits);
    if (!nsn || nsn->size() != nsn_digits) return std::nullopt;
    if (!std::all_of(nsn->begin(), nsn->end(), is_digit)) return std::nullopt;
    // Lenient: any mobile-looking NSN (07xx, 01xx); strict: only ranges allocated to mobiles.
    if (nsn->front() != '7' && nsn->front() != '1') return std::nullopt;
    if (policy == PhonePolicy::strict && !is_strict_mobile(*nsn)) return std::nullopt;
    return Msisdn{std::string(*nsn)};
}

}  // namespace hodi::engine
