#!/usr/bin/env bash
# Measures a USSD balance check answered from the SQLite bank against the same dialog answered
# from fixed in-memory data, in the same run, and prints a markdown table of medians.
#
#   bench/bank_hop.sh
#   BENCH_CONNECTIONS=256 BENCH_ROUNDS=1 bench/bank_hop.sh
#
# Both servers run the shipped menu, one thread, pinned to CPU 0; the load runs on CPU 1. Two
# dialogs:
#   dial     the first hop alone: user.lookup reads the subscriber, one read of the bank per hop.
#            This is the row the bank's target is read from: a hop that reads the bank keeps
#            at least 0.8x the rate of the same hop answered from memory.
#   goals    dial -> Savings -> My goals: three hops; savings.list reads the subscriber's goal
#            with the balance it holds (no PIN on this path): two of the three hops read.
#   balance  dial -> Wallet -> Balance -> PIN: four hops, two actions. With the bank, balance
#            also verifies the PIN (argon2 at its minimum cost; one PIN-counter write, group
#            committed with synchronous=FULL) and reads the wallet.
# The PIN hash costs the same whatever the store, and it alone is more than a fifth of the
# in-memory dialog; so below the table the balance row is also set against the in-memory rate
# with one verification per dialog added, timed on CPU 0 in the same run by bench_seed_bank.
# Registered callers (each with one goal) come from bench_seed_bank. Bounded: 3 dialogs x
# 2 servers x rounds x (warm-up + duration), plus the build.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD:-$root/build-release}
seconds=${BENCH_SECONDS:-6}
warmup=${BENCH_WARMUP:-2}
connections=${BENCH_CONNECTIONS:-64}
rounds=${BENCH_ROUNDS:-3}
callers=${BENCH_CALLERS:-2000}
server_cpu=0
load_cpu=1

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

echo "building Release into $build ..." >&2
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
    -DHODI_WERROR=OFF >"$log_dir/cmake.log" 2>&1
cmake --build "$build" -j2 --target hodi bench_ussd_load bench_seed_bank >"$log_dir/build.log" \
    || { cat "$log_dir/build.log" >&2; exit 1; }

pepper=bench-bank-hop-pepper-0001
# A plain assignment, so that a failed seeding stops the script (set -e).
seeded=$(taskset -c "$server_cpu" "$build/bench/bench_seed_bank" --db "$log_dir/hodi.db" \
    --pepper "$pepper" --callers "$callers" --pin 1234)
verify_us=$(field "$seeded" pin_verify_us)

pick_port >"$log_dir/port" && memory_port=$(<"$log_dir/port")
pick_port >"$log_dir/port" && bank_port=$(<"$log_dir/port")
(cd "$root" && HODI_THREADS=1 HODI_ACTIONS=demo exec taskset -c "$server_cpu" \
    "$build/app/hodi" serve --listen "127.0.0.1:$memory_port" >"$log_dir/memory.log" 2>&1) &
pids+=($!)
(cd "$root" && HODI_THREADS=1 HODI_DATABASE="$log_dir/hodi.db" HODI_PIN_PEPPER="$pepper" \
    HODI_PIN_HASH_COST=minimum exec taskset -c "$server_cpu" "$build/app/hodi" serve \
    --listen "127.0.0.1:$bank_port" >"$log_dir/bank.log" 2>&1) &
pids+=($!)
wait_for_port "$memory_port" || { cat "$log_dir/memory.log" >&2; exit 1; }
wait_for_port "$bank_port" || { cat "$log_dir/bank.log" >&2; exit 1; }

load() {  # load LABEL PORT INPUTS
    timeout $((warmup + seconds + 30)) taskset -c "$load_cpu" "$build/bench/bench_ussd_load" \
        --target "127.0.0.1:$2" --connections "$connections" --warmup "$warmup" \
        --duration "$seconds" --inputs "$3" --callers "$callers" --label "$1" \
        2>>"$log_dir/load.log" || true
}

echo "| dialog | actions | hops/s | p50 ms | p99 ms | max ms | errors | bank/memory |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
# The dial hop alone (user.lookup reads the bank), the goals dialog (reads goal balances
# without a PIN), then the whole balance dialog (four hops).
for dialog in "dial:-" "goals:2,1" "balance:1,1,1234"; do
    memory="" bank=""
    for _ in $(seq 1 "$rounds"); do
        memory+=$(load memory "$memory_port" "${dialog#*:}")$'\n'
        bank+=$(load bank "$bank_port" "${dialog#*:}")$'\n'
    done
    memory=$(medians "in-memory data" "${memory%$'\n'}")
    bank=$(medians "SQLite bank" "${bank%$'\n'}")
    for json in "$memory" "$bank"; do
        label=$(sed -n 's/.*"label":"\([^"]*\)".*/\1/p' <<<"$json")
        ratio=""
        if [[ $json == "$bank" ]]; then
            ratio=$(awk -v b="$(field "$bank" hops_per_s)" -v m="$(field "$memory" hops_per_s)" \
                'BEGIN { if (m > 0) printf "%.2f", b / m; else print "n/a" }')
        fi
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${dialog%%:*}" "$label" \
            "$(field "$json" hops_per_s)" "$(field "$json" p50_ms)" "$(field "$json" p99_ms)" \
            "$(field "$json" max_ms)" "$(field "$json" errors)" "$ratio"
    done
    if [[ ${dialog%%:*} == balance ]]; then
        # Four hops per dialog: the in-memory dialog's time plus one PIN verification.
        awk -v b="$(field "$bank" hops_per_s)" -v m="$(field "$memory" hops_per_s)" \
            -v v="$verify_us" 'BEGIN {
                reference = 4 / (4 / m + v / 1e6)
                printf "\nPIN verification at the minimum argon2 cost: %.1f us on CPU 0. ", v
                printf "In-memory balance dialog with it added: %.0f hops/s; ", reference
                printf "the bank reaches %.2f of that.\n", b / reference
            }'
    fi
done
if [[ -s "$log_dir/load.log" ]]; then
    echo >&2
    echo "load generator messages:" >&2
    cat "$log_dir/load.log" >&2
fi
