#!/usr/bin/env bash
# Measures hodi's USSD hop rate against the Beast ceiling server on this machine and prints a
# markdown table. See bench/README.md for what is measured and the targets.
#
#   bench/run.sh                       # 64 and 256 connections, 3 rounds of 2 s warm-up + 6 s
#   BENCH_CONNECTIONS="256" BENCH_ROUNDS=1 BENCH_RATE=0 bench/run.sh
#
# Builds Release into build-release, pins the servers to CPU 0 and the load to CPU 1, and stops
# everything it started on exit. Bounded: 3 servers x rounds x (warm-up + duration) per row.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD:-$root/build-release}
seconds=${BENCH_SECONDS:-6}
warmup=${BENCH_WARMUP:-2}
connections_list=${BENCH_CONNECTIONS:-"64 256"}
# Registered caller -> main -> Wallet -> Balance -> PIN: 4 hops, 2 actions (lookup, balance).
inputs=${BENCH_INPUTS:-"1234,1,1"}
# One more row per server at this offered load (hops/s over the last connection count): the
# latency a subscriber sees below saturation. 0 skips it.
rate=${BENCH_RATE:-2000}
# A shared VM's hiccups move a p99 by milliseconds, and a throughput by a tenth, from one run to
# the next (the ceiling's too), so every row runs the servers in turn this many times and
# reports each figure's median.
rounds=${BENCH_ROUNDS:-3}

server_cpu=0
load_cpu=1

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

build_release "$build" hodi bench_ceiling_server bench_ussd_load

pick_port >"$log_dir/port" && ceiling_port=$(<"$log_dir/port")
pick_port >"$log_dir/port" && hodi_port=$(<"$log_dir/port")
pick_port >"$log_dir/port" && redis_port=$(<"$log_dir/port")
pick_port >"$log_dir/port" && redis_hodi_port=$(<"$log_dir/port")
taskset -c "$server_cpu" "$build/bench/bench_ceiling_server" --listen "127.0.0.1:$ceiling_port" \
    2>"$log_dir/ceiling.log" &
pids+=($!)
ceiling_pid=$!
# hodi serves the shipped menu (menus/hodi.yaml, in-memory sessions) on one I/O thread.
(cd "$root" && HODI_THREADS=1 HODI_ACTIONS=demo exec taskset -c "$server_cpu" "$build/hodi" serve \
    --listen "127.0.0.1:$hodi_port" >"$log_dir/hodi.log" 2>&1) &
pids+=($!)
hodi_pid=$!
# The same hodi with its sessions in Redis. Redis is part of the server side, so it shares CPU 0
# with hodi: the load still has CPU 1 to itself.
taskset -c "$server_cpu" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" \
    --appendonly no --dir "$log_dir" >"$log_dir/redis.log" 2>&1 &
pids+=($!)
redis_pid=$!
wait_for_port "$redis_port"
(cd "$root" && HODI_THREADS=1 HODI_ACTIONS=demo HODI_SESSIONS=redis HODI_REDIS_URL="redis://127.0.0.1:$redis_port/0" \
    exec taskset -c "$server_cpu" "$build/hodi" serve --listen "127.0.0.1:$redis_hodi_port" \
    >"$log_dir/hodi-redis.log" 2>&1) &
pids+=($!)
redis_hodi_pid=$!
wait_for_port "$ceiling_port"
wait_for_port "$hodi_port" || { cat "$log_dir/hodi.log" >&2; exit 1; }
wait_for_port "$redis_hodi_port" || { cat "$log_dir/hodi-redis.log" >&2; exit 1; }

load() {  # load LABEL PORT CONNECTIONS [extra args]
    local label=$1 port=$2 connections=$3
    shift 3
    timeout $((warmup + seconds + 30)) taskset -c "$load_cpu" "$build/bench/bench_ussd_load" \
        --target "127.0.0.1:$port" --connections "$connections" --warmup "$warmup" \
        --duration "$seconds" --inputs "$inputs" --label "$label" "$@" \
        2>>"$log_dir/load.log" || true
}

echo "| connections | offered | server | hops/s | p50 ms | p99 ms | max ms | errors | hodi/ceil |"
echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|"
row() {  # row CONNECTIONS OFFERED CEILING_JSON HODI_JSON...: each hodi against the ceiling
    local connections=$1 offered=$2 ceiling=$3 label shown_ratio
    shift 3
    for json in "$ceiling" "$@"; do
        label=$(sed -n 's/.*"label":"\([^"]*\)".*/\1/p' <<<"$json")
        shown_ratio=""
        if [[ $label != ceiling ]]; then
            shown_ratio=$(awk -v h="$(field "$json" hops_per_s)" \
                -v c="$(field "$ceiling" hops_per_s)" \
                'BEGIN { if (c > 0) printf "%.2f", h / c; else print "n/a" }')
        fi
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$connections" "$offered" \
            "${label:-?}" "$(field "$json" hops_per_s)" "$(field "$json" p50_ms)" \
            "$(field "$json" p99_ms)" "$(field "$json" max_ms)" "$(field "$json" errors)" \
            "$shown_ratio"
    done
}
measured_row() {  # measured_row CONNECTIONS OFFERED [load args]: the servers in turn, rounds times
    local connections=$1 offered=$2 ceiling="" hodi="" redis=""
    shift 2
    for _ in $(seq 1 "$rounds"); do
        run_alone "$ceiling_pid"
        ceiling+=$(load ceiling "$ceiling_port" "$connections" --early-end ok "$@")$'\n'
        run_alone "$hodi_pid"
        hodi+=$(load hodi "$hodi_port" "$connections" "$@")$'\n'
        run_alone "$redis_pid" "$redis_hodi_pid"
        redis+=$(load hodi+redis "$redis_hodi_port" "$connections" "$@")$'\n'
    done
    row "$connections" "$offered" "$(medians ceiling "${ceiling%$'\n'}")" \
        "$(medians hodi "${hodi%$'\n'}")" "$(medians hodi+redis "${redis%$'\n'}")"
}
for connections in $connections_list; do
    measured_row "$connections" max
done
if [[ "$rate" != 0 ]]; then
    measured_row "$connections" "$rate/s" --rate "$rate"
fi
if [[ -s "$log_dir/load.log" ]]; then
    echo >&2
    echo "load generator messages:" >&2
    cat "$log_dir/load.log" >&2
fi
