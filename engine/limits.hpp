// Every limit the engine enforces, named once. Values come from PROTOCOLS.md §1.4, §1.5 and §5.
#pragma once

#include <chrono>
#include <cstddef>

namespace hodi::engine {

inline constexpr std::size_t screen_chars_max = 160;       // displayed text, GSM-7, default
inline constexpr std::size_t screen_chars_hard_max = 182;  // USSD ceiling; tests fail above it
inline constexpr std::chrono::seconds hop_reply_budget{15};  // AT waits this long per hop
inline constexpr std::chrono::seconds session_ttl{180};      // AT's whole-session limit
inline constexpr int input_tries_max = 3;        // bad entries before a polite END
inline constexpr std::size_t input_chars_max = 64;  // longest single entry we look at
inline constexpr std::size_t history_depth_max = 32;  // back-stack frames kept per session
inline constexpr std::size_t variables_max = 32;      // variables kept per session
inline constexpr std::size_t variable_chars_max = 160;  // longest value kept per variable
inline constexpr std::size_t action_chain_max = 8;  // actions one hop may run back to back

static_assert(screen_chars_max <= screen_chars_hard_max);
static_assert(session_ttl > hop_reply_budget, "a session must outlive one hop");

}  // namespace hodi::engine
