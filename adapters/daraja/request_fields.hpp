// The fields of Daraja requests that Safaricom checks, or silently acts on, before any money
// moves (PROTOCOLS.md §3.4, §3.10): the STK Password and Timestamp, the texts shown on the
// M-Pesa prompt, and the callback URLs Daraja refuses. Pure: no clock, no I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hodi::adapters::daraja {

// Safaricom's limits on the two texts the prompt shows beside the business name.
inline constexpr std::size_t account_reference_chars_max = 12;
inline constexpr std::size_t transaction_desc_chars_max = 13;

// `Timestamp`: YYYYMMDDHHmmss in Kenyan time (EAT, UTC+3 all year; Kenya keeps no summer
// time). Daraja refuses, or mismatches against the Password, a timestamp in another zone.
std::string kenya_timestamp(std::chrono::system_clock::time_point when);

// Standard base64 with padding, no line breaks: Password, SecurityCredential, Basic auth.
std::string base64_encode(std::string_view bytes);

// `Password` of STK Push and STK Query: base64 of the ASCII concatenation
// shortcode + passkey + timestamp.
std::string stk_password(std::string_view shortcode, std::string_view passkey,
                         std::string_view timestamp);

// Why `text` cannot be an `AccountReference` or `TransactionDesc` of at most `chars_max`
// characters, or nothing when it can. Daraja drops a prompt without a word when these hold
// characters outside letters, digits, spaces and hyphens (what Safaricom's own samples use;
// anything else is refused rather than guessed at), or are too long: refusing them here turns
// a payment that would never be asked for into an error the operator sees.
std::optional<std::string> prompt_text_problem(std::string_view text, std::size_t chars_max);

// What Daraja would refuse in a callback URL hodi registers (`CallBackURL`, `ResultURL`,
// `QueueTimeOutURL`, C2B URLs): not https, or holding a word Safaricom bans anywhere in it,
// in any case ("mpesa", "m-pesa", "safaricom", "exe" (so also "exec"), "cmd", "sql",
// "query"). Empty when it would take it. For config checks, at start and in `hodi lint`.
std::vector<std::string> callback_url_problems(std::string_view url);

}  // namespace hodi::adapters::daraja
