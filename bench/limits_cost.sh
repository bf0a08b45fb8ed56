#!/usr/bin/env bash
# What the fairness limits cost: hodi with its default limits (per-phone hop rate, in-flight cap)
# against the same hodi with both off, at 64 connections, the two servers measured in turn.
# Prints a markdown table; the target is limits/off >= 0.95 (see bench/README.md).
#
#   bench/limits_cost.sh                     # 3 rounds of 2 s warm-up + 6 s each
#   BENCH_ROUNDS=1 BENCH_CONNECTIONS=256 bench/limits_cost.sh
#
# Builds Release into build-release, pins the servers to CPU 0 and the load to CPU 1, and stops
# everything it started on exit. Bounded: 2 servers x rounds x (warm-up + duration) per row.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD:-$root/build-release}
seconds=${BENCH_SECONDS:-6}
warmup=${BENCH_WARMUP:-2}
connections_list=${BENCH_CONNECTIONS:-64}
inputs=${BENCH_INPUTS:-"1234,1,1"}
rounds=${BENCH_ROUNDS:-3}
server_cpu=0
load_cpu=1

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

build_release "$build" hodi bench_ussd_load

pick_port >"$log_dir/port" && limited_port=$(<"$log_dir/port")
pick_port >"$log_dir/port" && open_port=$(<"$log_dir/port")
(cd "$root" && HODI_THREADS=1 HODI_ACTIONS=demo exec taskset -c "$server_cpu" "$build/hodi" serve \
    --listen "127.0.0.1:$limited_port" >"$log_dir/limited.log" 2>&1) &
pids+=($!)
limited_pid=$!
(cd "$root" && HODI_THREADS=1 HODI_ACTIONS=demo HODI_HOPS_PER_PHONE_PER_MINUTE=0 \
    HODI_HOPS_IN_FLIGHT_MAX=0 exec taskset -c "$server_cpu" "$build/hodi" serve \
    --listen "127.0.0.1:$open_port" >"$log_dir/open.log" 2>&1) &
pids+=($!)
open_pid=$!
wait_for_port "$limited_port" || { cat "$log_dir/limited.log" >&2; exit 1; }
wait_for_port "$open_port" || { cat "$log_dir/open.log" >&2; exit 1; }

load() {  # load LABEL PORT CONNECTIONS
    timeout $((warmup + seconds + 30)) taskset -c "$load_cpu" "$build/bench/bench_ussd_load" \
        --target "127.0.0.1:$2" --connections "$3" --warmup "$warmup" --duration "$seconds" \
        --inputs "$inputs" --label "$1" 2>>"$log_dir/load.log" || true
}

echo "| connections | server | hops/s | p50 ms | p99 ms | errors | limits/off |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for connections in $connections_list; do
    limited="" open=""
    for _ in $(seq 1 "$rounds"); do
        run_alone "$open_pid"
        open+=$(load "limits off" "$open_port" "$connections")$'\n'
        run_alone "$limited_pid"
        limited+=$(load "limits on" "$limited_port" "$connections")$'\n'
    done
    open=$(medians "limits off" "${open%$'\n'}")
    limited=$(medians "limits on" "${limited%$'\n'}")
    ratio=$(awk -v l="$(field "$limited" hops_per_s)" -v o="$(field "$open" hops_per_s)" \
        'BEGIN { if (o > 0) printf "%.3f", l / o; else print "n/a" }')
    for json in "$open" "$limited"; do
        label=$(sed -n 's/.*"label":"\([^"]*\)".*/\1/p' <<<"$json")
        shown=""
        [[ $label == "limits on" ]] && shown=$ratio
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$connections" "$label" \
            "$(field "$json" hops_per_s)" "$(field "$json" p50_ms)" "$(field "$json" p99_ms)" \
            "$(field "$json" errors)" "$shown"
    done
done
