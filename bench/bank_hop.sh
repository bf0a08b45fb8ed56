#!/usr/bin/env bash
# Measures USSD hops answered from the SQLite bank against the same dialogs answered from fixed
# in-memory data, in the same run, and prints a markdown table: the median of each figure over
# the rounds, and the median (with the range) of the per-round bank/memory ratios.
#
#   bench/bank_hop.sh
#   BENCH_CONNECTIONS=256 BENCH_ROUNDS=3 bench/bank_hop.sh
#   BENCH_CALLERS=200000 bench/bank_hop.sh    # a bank of 200,000 subscribers (105 MB)
#   BENCH_TOGETHER=1 bench/bank_hop.sh        # both servers loaded at once, sharing CPU 0
#
# Both servers run the shipped menu, one thread, pinned to CPU 0; the load runs on CPU 1. Three
# dialogs:
#   dial     the first hop alone: user.lookup reads the subscriber, one read of the bank per hop
#            (pin.session, which asks for the PIN, reads nothing).
#   goals    dial -> PIN -> Savings -> My goals: four hops; the PIN hop verifies the PIN (argon2
#            at its minimum cost) and records the attempt in one group-committed write
#            (synchronous=FULL); savings.list then reads the goals with the balance each holds.
#   balance  dial -> PIN -> Wallet -> Balance: four hops; the same PIN hop, then balance reads
#            the wallet in one write that checks the PIN is not locked since.
# The bank's target is read from dial: a hop that reads the bank keeps at least 0.8x the rate
# of the same hop answered from memory. The PIN hash costs the same whatever the store, and it
# alone is more than a third of an in-memory dialog with a PIN; so the goals and balance rows
# are also set against the in-memory rate with one verification per dialog added, timed on
# CPU 0 in the same run by bench_seed_bank.
# Each round runs the two servers back to back, taking turns at going first. With
# BENCH_TOGETHER=1 a round loads both at once instead: they share CPU 0, so the VM's drift over
# seconds hits both alike and the rounds agree more closely. It is the harder test for the bank,
# whose caches the other server evicts at every switch. Only dial runs that way: a server that
# waits (a dialog with a PIN waits on fsync and on the PIN pool) hands CPU 0 to the
# other, so shared-CPU rates compare only dialogs that never wait.
# Registered callers (each with one goal) come from bench_seed_bank. Bounded: 3 dialogs x
# 2 servers x rounds x (warm-up + duration), plus the build (a third of that with
# BENCH_TOGETHER).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD:-$root/build-release}
seconds=${BENCH_SECONDS:-4}
warmup=${BENCH_WARMUP:-1}
connections=${BENCH_CONNECTIONS:-64}
rounds=${BENCH_ROUNDS:-7}
callers=${BENCH_CALLERS:-2000}
together=${BENCH_TOGETHER:-0}
server_cpu=0
load_cpu=1

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

build_release "$build" hodi bench_ussd_load bench_seed_bank

pepper=bench-bank-hop-pepper-0001
# A plain assignment, so that a failed seeding stops the script (set -e).
seeded=$(taskset -c "$server_cpu" "$build/bench/bench_seed_bank" --db "$log_dir/hodi.db" \
    --pepper "$pepper" --callers "$callers" --pin 1234)
verify_us=$(field "$seeded" pin_verify_us)

pick_port >"$log_dir/port" && memory_port=$(<"$log_dir/port")
pick_port >"$log_dir/port" && bank_port=$(<"$log_dir/port")
# A few thousand callers replayed at full speed dial far more often than a phone can: the
# per-phone hop rate is off on both servers (bench/limits_cost.sh measures what it costs).
export HODI_HOPS_PER_PHONE_PER_MINUTE=0
(cd "$root" && HODI_THREADS=1 HODI_ACTIONS=demo exec taskset -c "$server_cpu" \
    "$build/hodi" serve --listen "127.0.0.1:$memory_port" >"$log_dir/memory.log" 2>&1) &
pids+=($!)
(cd "$root" && HODI_THREADS=1 HODI_DATABASE="$log_dir/hodi.db" HODI_PIN_PEPPER="$pepper" \
    HODI_PIN_HASH_COST=minimum exec taskset -c "$server_cpu" "$build/hodi" serve \
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

ratio() {  # ratio BANK_JSON MEMORY_JSON [VERIFY_US]: bank/memory hops, or against memory+hash
    awk -v b="$(field "$1" hops_per_s)" -v m="$(field "$2" hops_per_s)" -v v="${3:-0}" 'BEGIN {
        if (m <= 0) { print "n/a"; exit }
        # Four hops per balance dialog: the in-memory dialog plus one verification.
        reference = v > 0 ? 4 / (4 / m + v / 1e6) : m
        printf "%.3f", b / reference
    }'
}
spread() {  # spread RATIOS: "median (min-max)" of one ratio per line
    sort -g <<<"$1" | awk '{ v[NR] = $1 } END {
        printf "**%.2f** (%.2f-%.2f)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

echo "| dialog | actions | hops/s | p50 ms | p99 ms | max ms | errors | bank/memory |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
# The dial hop alone (user.lookup reads the bank), then the goals and balance dialogs (four
# hops each, the session's PIN first). Each round runs the two servers
# back to back, taking turns at going first, or at once, and yields one ratio: this VM's speed
# drifts by tens of percent over seconds, so a ratio of neighbours is steadier than one of
# medians.
dialogs=("dial:-" "goals:1234,2,1" "balance:1234,1,1")
((together)) && dialogs=("dial:-")
for dialog in "${dialogs[@]}"; do
    memory="" bank="" ratios="" hashed=""
    for round in $(seq 1 "$rounds"); do
        if ((together)); then
            load memory "$memory_port" "${dialog#*:}" >"$log_dir/memory.json" &
            memory_load=$!
            load bank "$bank_port" "${dialog#*:}" >"$log_dir/bank.json" &
            wait "$memory_load" "$!"
            m=$(<"$log_dir/memory.json") b=$(<"$log_dir/bank.json")
        elif ((round % 2)); then
            m=$(load memory "$memory_port" "${dialog#*:}")
            b=$(load bank "$bank_port" "${dialog#*:}")
        else
            b=$(load bank "$bank_port" "${dialog#*:}")
            m=$(load memory "$memory_port" "${dialog#*:}")
        fi
        memory+=$m$'\n' bank+=$b$'\n'
        ratios+=$(ratio "$b" "$m")$'\n'
        hashed+=$(ratio "$b" "$m" "$verify_us")$'\n'
    done
    memory=$(medians "in-memory data" "${memory%$'\n'}")
    bank=$(medians "SQLite bank" "${bank%$'\n'}")
    for json in "$memory" "$bank"; do
        label=$(sed -n 's/.*"label":"\([^"]*\)".*/\1/p' <<<"$json")
        shown=""
        [[ $json == "$bank" ]] && shown=$(spread "${ratios%$'\n'}")
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${dialog%%:*}" "$label" \
            "$(field "$json" hops_per_s)" "$(field "$json" p50_ms)" "$(field "$json" p99_ms)" \
            "$(field "$json" max_ms)" "$(field "$json" errors)" "$shown"
    done
    if [[ ${dialog%%:*} != dial ]]; then
        printf '\n%s: PIN verification at the minimum argon2 cost: %s us on CPU 0. ' \
            "${dialog%%:*}" "$verify_us"
        printf 'Against the in-memory dialog with it added, the bank reaches %s.\n\n' \
            "$(spread "${hashed%$'\n'}")"
    fi
done
if [[ -s "$log_dir/load.log" ]]; then
    echo >&2
    echo "load generator messages:" >&2
    cat "$log_dir/load.log" >&2
fi
