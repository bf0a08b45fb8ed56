# Shell helpers shared by the bench scripts: sourced, never run. Expects `set -euo pipefail`
# and `root` (the checkout). Provides: pids (servers to stop on exit), log_dir (removed on
# exit), build_release, pick_port, wait_for_port, run_alone, field, median, medians.

pids=()
log_dir=$(mktemp -d)
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        kill -CONT "$pid" 2>/dev/null || true  # a stopped server acts on SIGTERM once resumed
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$log_dir"
}
trap cleanup EXIT INT TERM

build_release() {  # build_release BUILD_DIR TARGET...: a Release build of the targets, or exit
    local build=$1
    shift
    echo "building Release into $build ..." >&2
    # Warnings are CI's business (tools/ci.sh builds with -Werror); at -O3 g++ 12 reports false
    # positives inside third-party headers that must not stop a measurement.
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
        -DHODI_WERROR=OFF >"$log_dir/cmake.log" 2>&1 \
        || { cat "$log_dir/cmake.log" >&2; exit 1; }
    cmake --build "$build" -j2 --target "$@" >"$log_dir/build.log" \
        || { cat "$log_dir/build.log" >&2; exit 1; }
}

# A loopback port nothing answers on right now, below Linux's ephemeral range (32768 and up) so
# that no outgoing connection holds it by the time a server binds it, and not picked before.
picked_ports=" "
pick_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((10000 + RANDOM % 22000))
        if [[ $picked_ports != *" $port "* ]] \
            && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            picked_ports+="$port "
            echo "$port"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}

wait_for_port() {  # wait_for_port PORT [SECONDS]: until something listens (10 s by default)
    local port=$1 seconds=${2:-10}
    for _ in $(seq 1 $((seconds * 10))); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$port after $seconds s" >&2
    return 1
}

# run_alone PID...: of the servers in `pids`, only these run; the others are stopped (SIGSTOP)
# until their own turn. The servers share one CPU, so a server left running would spend the
# measured server's time on its deferred work: Redis expiring the keys of an earlier run all at
# once, hodi purging the sessions of an earlier run. Stopped, each pays for its own.
run_alone() {
    local pid
    for pid in "${pids[@]}"; do
        kill -STOP "$pid" 2>/dev/null || true
    done
    for pid in "$@"; do
        kill -CONT "$pid" 2>/dev/null || true
    done
}

field() {  # field JSON NAME: one number from the load generator's JSON line
    sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" <<<"$1"
}

median() {  # median NAME JSON_LINES: the middle value of one field over the lines
    local values
    values=$(while read -r json; do field "$json" "$1"; done <<<"$2" | sort -g)
    sed -n "$(( ($(wc -l <<<"$values") + 1) / 2 ))p" <<<"$values"
}
medians() {  # medians LABEL JSON_LINES: one JSON line holding each figure's median
    local errors
    errors=$(while read -r json; do field "$json" errors; done <<<"$2" \
        | awk '{ sum += $1 } END { print sum + 0 }')
    printf '{"label":"%s","hops_per_s":%s,"p50_ms":%s,"p99_ms":%s,"max_ms":%s,"errors":%s}' \
        "$1" "$(median hops_per_s "$2")" "$(median p50_ms "$2")" "$(median p99_ms "$2")" \
        "$(median max_ms "$2")" "$errors"
}
