// Where a broken invariant ends the process, with enough said to find it.
#include "engine/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace hodi {

void assert_failed(const char* expression, std::source_location where) {
    std::fprintf(stderr, "%s:%u: %s: assertion failed: %s\n", where.file_name(), where.line(),
                 where.function_name(), expression);
    std::abort();
}

}  // namespace hodi
