#!/usr/bin/env bash
# What CI runs, and what you run before pushing: an ASan+UBSan build with every warning an
# error, the whole test suite (unit + integration against real servers on loopback), then tidy.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
build_dir=${HODI_CI_BUILD_DIR:-build-ci}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DHODI_SANITIZE=address,undefined -DHODI_WERROR=ON >/dev/null
cmake --build "$build_dir" -j "$jobs"
(cd "$build_dir" && ctest --output-on-failure -j "$jobs" --timeout 900)
tools/tidy.sh
