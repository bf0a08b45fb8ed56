// Daraja request fields; see request_fields.hpp.
#include "adapters/daraja/request_fields.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace hodi::adapters::daraja {

namespace {

constexpr std::chrono::hours kenya_offset{3};

// Safaricom's banned words; "exe" covers "exec".
constexpr std::array<std::string_view, 7> banned_url_words{"mpesa", "m-pesa", "safaricom", "exe",
                                                           "cmd",   "sql",    "query"};

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

std::string kenya_timestamp(std::chrono::system_clock::time_point when) {
    using namespace std::chrono;
    const auto local = floor<seconds>(when) + kenya_offset;
    const auto day = floor<days>(local);
    const year_month_day date(day);
    const hh_mm_ss<seconds> time(local - day);
    std::array<char, 16> text{};
    std::snprintf(text.data(), text.size(), "%04d%02u%02u%02ld%02ld%02ld",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<long>(time.hours().count()),
                  static_cast<long>(time.minutes().count()),
                  static_cast<long>(time.seconds().count()));
    return std::string(text.data(), 14);
}

std::string base64_encode(std::string_view bytes) {
    // EVP_EncodeBlock writes 4 characters per 3 bytes, padded, and a terminating NUL.
    std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()),
                        static_cast<int>(bytes.size()));
    encoded.resize(static_cast<std::size_t>(std::max(written, 0)));
    return encoded;
}

std::string stk_password(std::string_view shortcode, std::string_view passkey,
                         std::string_view timestamp) {
    std::string plain;
    plain.reserve(shortcode.size() + passkey.size() + timestamp.size());
    plain.append(shortcode).append(passkey).append(timestamp);
    return base64_encode(plain);
}

std::optional<std::string> prompt_text_problem(std::string_view text, std::size_t chars_max) {
    if (text.empty()) return "is empty";
    if (text.size() > chars_max) {
        return "has " + std::to_string(text.size()) + " characters; Daraja takes at most " +
               std::to_string(chars_max);
    }
    const auto unsafe = std::find_if(text.begin(), text.end(), [](unsigned char c) {
        return !(std::isalnum(c) != 0 || c == ' ' || c == '-');
    });
    if (unsafe != text.end()) {
        return "holds '" + std::string(1, *unsafe) +
               "'; Daraja drops prompts with anything but letters, digits, spaces and "
               "hyphens";
    }
    return std::nullopt;
}

std::vector<std::string> callback_url_problems(std::string_view url) {
    std::vector<std::string> problems;
    const std::string lower = lowercase(url);
    if (!lower.starts_with("https://")) problems.emplace_back("is not an https:// URL");
    for (const std::string_view word : banned_url_words) {
        if (lower.find(word) != std::string::npos) {
            problems.push_back("holds \"" + std::string(word) + "\", which Daraja refuses in "
                               "callback URLs");
        }
    }
    return problems;
}

}  // namespace hodi::adapters::daraja
