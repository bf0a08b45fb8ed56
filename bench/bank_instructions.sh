#!/usr/bin/env bash
# Counts the instructions the server executes per hop, in-memory data against the SQLite bank,
# on the dialogs of bank_hop.sh, and prints a markdown table. Instructions do not drift with
# the machine's speed the way rates do on a shared VM, so this is the steady view of what the
# bank adds to a hop; bank_hop.sh remains the measure of rates. Cache misses, which weigh more
# on the bank's B-tree pages than on fixed in-memory data, are not counted here.
#
#   bench/bank_instructions.sh                     # needs valgrind (apt-get install valgrind)
#   BENCH_RATE=400 BENCH_SECONDS=8 bench/bank_instructions.sh
#
# Each server runs under callgrind with collection off; it is warmed up for 2 s, then counted
# while the load offers BENCH_RATE hops/s (paced, so both servers see the same arrivals and
# batch their reads alike) for BENCH_SECONDS. Bounded: 3 dialogs x 2 servers x (2 s + seconds)
# under valgrind, plus the build.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD:-$root/build-release}
seconds=${BENCH_SECONDS:-8}
rate=${BENCH_RATE:-400}
connections=${BENCH_CONNECTIONS:-32}
callers=${BENCH_CALLERS:-2000}

if ! command -v valgrind >/dev/null; then
    echo "valgrind is needed: apt-get install valgrind" >&2
    exit 1
fi

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

build_release "$build" hodi bench_ussd_load bench_seed_bank

pepper=bench-bank-instructions-pepper-01
"$build/bench/bench_seed_bank" --db "$log_dir/hodi.db" --pepper "$pepper" --callers "$callers" \
    --pin 1234 >/dev/null

load() {  # load PORT INPUTS SECONDS: one paced run; prints the load generator's JSON line
    timeout $(($3 + 60)) "$build/bench/bench_ussd_load" --target "127.0.0.1:$1" \
        --connections "$connections" --warmup 0 --duration "$3" --inputs "$2" \
        --callers "$callers" --rate "$rate" 2>>"$log_dir/load.log" || true
}

count() {  # count KIND INPUTS: instructions per hop of one server kind on one dialog
    local kind=$1 inputs=$2 port out pid json hops total
    port=$(pick_port)
    local -a env=(HODI_THREADS=1 HODI_HOPS_PER_PHONE_PER_MINUTE=0)
    if [[ $kind == memory ]]; then
        env+=(HODI_ACTIONS=demo)
    else
        env+=(HODI_DATABASE="$log_dir/hodi.db" HODI_PIN_PEPPER="$pepper" HODI_PIN_HASH_COST=minimum)
    fi
    out="$log_dir/callgrind.$kind"
    (cd "$root" && exec env "${env[@]}" valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file="$out" "$build/hodi" serve --listen "127.0.0.1:$port" \
        >"$log_dir/$kind.log" 2>&1) &
    pid=$!
    pids+=("$pid")
    # valgrind starts the server several times slower than usual
    wait_for_port "$port" 60 || { cat "$log_dir/$kind.log" >&2; exit 1; }
    # Paced warm-up too: a saturated server would still be clearing its backlog when the count
    # starts, and answer late hops with the cheap "busy" screen.
    load "$port" "$inputs" 2 >/dev/null
    callgrind_control -i on "$pid" >/dev/null 2>&1
    json=$(load "$port" "$inputs" "$seconds")
    callgrind_control -i off "$pid" >/dev/null 2>&1
    kill -TERM "$pid"
    wait "$pid" || true
    hops=$(field "$json" hops)
    # The count stands only if every hop was answered as the menu expects, at the offered rate.
    if [[ $(field "$json" errors) != 0 ]] || ((${hops:-0} < rate * seconds * 95 / 100)); then
        echo "$kind on $inputs: $json (errors, or below the offered rate): not counted" >&2
        echo 0
        return
    fi
    total=$(callgrind_annotate "$out" 2>/dev/null \
        | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    awk -v t="${total:-0}" -v h="$hops" 'BEGIN { printf "%.0f", t / h }'
}

ratio() {  # ratio MEMORY BANK: memory/bank instructions, that is the bank's rate at equal speed
    awk -v m="$1" -v b="$2" \
        'BEGIN { if (m > 0 && b > 0) printf "**%.3f**", m / b; else print "n/a" }'
}

echo "| dialog | memory instructions/hop | bank instructions/hop | memory/bank |"
echo "|---|---:|---:|---:|"
for dialog in "dial:-" "goals:1234,2,1" "balance:1234,1,1"; do
    memory=$(count memory "${dialog#*:}")
    bank=$(count bank "${dialog#*:}")
    printf '| %s | %s | %s | %s |\n' "${dialog%%:*}" "$memory" "$bank" \
        "$(ratio "$memory" "$bank")"
done
if [[ -s "$log_dir/load.log" ]]; then
    echo >&2
    echo "load generator messages:" >&2
    cat "$log_dir/load.log" >&2
fi
