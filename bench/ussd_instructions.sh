#!/usr/bin/env bash
# Counts the user-space instructions per USSD hop of hodi (the shipped menu, demo actions,
# in-memory sessions, one thread) against the Beast ceiling server, at 64 and 256 connections,
# and prints a markdown table. Rates drift with a shared VM's speed by tens of percent from one
# run to the next; instruction counts do not, so this is the steady view of hodi's own work per
# hop. It does not see the kernel's share (the same for both servers: one recvmsg and one
# sendmsg a hop) or cache misses; bench/run.sh remains the measure of rates.
#
#   bench/ussd_instructions.sh                    # needs valgrind; about 90 s plus the build
#   BENCH_RATE=400 BENCH_SECONDS=8 BENCH_CONNECTIONS="64 256" bench/ussd_instructions.sh
#
# Each server runs under callgrind with instrumentation off, is warmed up for 2 s, then counted
# while the load offers BENCH_RATE hops/s (paced) for BENCH_SECONDS. Bounded: 2 servers x
# connection counts x (2 s + seconds) under valgrind, plus the build.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD:-$root/build-release}
seconds=${BENCH_SECONDS:-8}
rate=${BENCH_RATE:-400}
connections_list=${BENCH_CONNECTIONS:-"64 256"}
inputs=${BENCH_INPUTS:-"1234,1,1"}

if ! command -v valgrind >/dev/null; then
    echo "valgrind is needed: apt-get install valgrind" >&2
    exit 1
fi

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

build_release "$build" hodi bench_ceiling_server bench_ussd_load

load() {  # load PORT CONNECTIONS SECONDS [args]: one paced run; prints the JSON line
    local port=$1 connections=$2 duration=$3
    shift 3
    timeout $((duration + 60)) "$build/bench/bench_ussd_load" --target "127.0.0.1:$port" \
        --connections "$connections" --warmup 0 --duration "$duration" --inputs "$inputs" \
        --rate "$rate" "$@" 2>>"$log_dir/load.log" || true
}

count() {  # count SERVER CONNECTIONS: instructions per hop of one server
    local server=$1 connections=$2 port out pid json hops total
    local -a command extra=()
    port=$(pick_port)
    out="$log_dir/callgrind.$server.$connections"
    if [[ $server == ceiling ]]; then
        command=("$build/bench/bench_ceiling_server" --listen "127.0.0.1:$port")
        extra=(--early-end ok)
    else
        command=(env HODI_THREADS=1 HODI_ACTIONS=demo "$build/hodi" serve
            --listen "127.0.0.1:$port")
    fi
    (cd "$root" && exec valgrind --tool=callgrind --instr-atstart=no --trace-children=yes \
        --callgrind-out-file="$out" "${command[@]}" >"$log_dir/$server.log" 2>&1) &
    pid=$!
    pids+=("$pid")
    wait_for_port "$port" 60 || { cat "$log_dir/$server.log" >&2; exit 1; }
    load "$port" "$connections" 2 "${extra[@]}" >/dev/null
    callgrind_control -i on "$pid" >/dev/null 2>&1
    json=$(load "$port" "$connections" "$seconds" "${extra[@]}")
    callgrind_control -i off "$pid" >/dev/null 2>&1
    kill -TERM "$pid"
    wait "$pid" || true
    hops=$(field "$json" hops)
    if [[ $(field "$json" errors) != 0 ]] || ((${hops:-0} < rate * seconds * 95 / 100)); then
        echo "$server at $connections connections: $json (errors, or below the offered rate):" \
            "not counted" >&2
        echo 0
        return
    fi
    total=$(callgrind_annotate "$out"* 2>/dev/null \
        | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    awk -v t="${total:-0}" -v h="$hops" 'BEGIN { printf "%.0f", t / h }'
}

echo "| connections | ceiling instructions/hop | hodi instructions/hop | hodi/ceiling |"
echo "|---:|---:|---:|---:|"
for connections in $connections_list; do
    ceiling=$(count ceiling "$connections")
    hodi=$(count hodi "$connections")
    awk -v c="$connections" -v a="$ceiling" -v b="$hodi" \
        'BEGIN { printf "| %s | %d | %d | %s |\n", c, a, b, (a > 0 ? sprintf("%.2f", b / a) : "n/a") }'
done
