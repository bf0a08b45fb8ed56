#!/usr/bin/env bash
# Installs everything hodi builds, tests and benchmarks with, from Debian 12's packages.
# Safe to run again: it installs only what is missing. Run as root (or with sudo).
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config ccache git
    libboost1.81-dev libboost-json1.81-dev libsqlitecpp-dev libhiredis-dev libyaml-cpp-dev
    libspdlog-dev doctest-dev libcli11-dev libsodium-dev libssl-dev
    redis-server wrk util-linux curl
)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#packages[@]} packages present"
    exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
# hodi's tests start their own redis-server on random loopback ports; the packaged service
# is not needed and would only hold port 6379.
if command -v systemctl >/dev/null 2>&1; then
    "${sudo_cmd[@]}" systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
echo "setup: done"
