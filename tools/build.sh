#!/usr/bin/env bash
# Builds an optimised `hodi` into build/ (what `hodi serve` and the benchmarks run).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build --target hodi -j "$jobs"
echo "build: $(pwd)/build/hodi"
