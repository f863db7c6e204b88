#!/usr/bin/env bash
# install-deps.sh — the Debian 12 packages Parley builds, tests and runs with.
# Idempotent; uses sudo when not root.
set -euo pipefail
pkgs=(build-essential pkg-config clang libclang-rt-14-dev
      libsodium-dev libsqlite3-dev libmicrohttpd-dev libjansson-dev libcmocka-dev libcurl4-openssl-dev
      sqlite3 curl jq python3 xxd)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
