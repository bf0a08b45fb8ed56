// HODI_ASSERT: a broken invariant is a bug, and bugs crash with a message (never bad input).
#pragma once

#include <source_location>

namespace hodi {

[[noreturn]] void assert_failed(const char* expression,
                                std::source_location where = std::source_location::current());

}  // namespace hodi

#define HODI_ASSERT(expression) \
    ((expression) ? static_cast<void>(0) : ::hodi::assert_failed(#expression))
