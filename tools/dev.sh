#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The two entry points of the README, runnable on a fresh Debian 12 machine
# that has git and a C++ compiler:
#   tools/dev.sh pid_tune   build and run the main job (examples/pid_tune)
#   tools/dev.sh test       build and run the whole test suite
# Installs meson, ninja and python3 with apt-get when they are missing.
# BUILD=dir chooses the build directory (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}

ensure_tools() {
  local need=()
  command -v meson >/dev/null 2>&1 || need+=(meson)
  command -v ninja >/dev/null 2>&1 || need+=(ninja-build)
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  command -v c++ >/dev/null 2>&1 || need+=(g++)
  if [ ${#need[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "installing: ${need[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
  fi
}

configure() {
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$@"
  else
    meson setup --reconfigure "$build" "$@" >/dev/null
  fi
}

case "${1:-}" in
  pid_tune)
    ensure_tools
    configure
    ninja -C "$build" examples/pid_tune/pid_tune
    "$build/examples/pid_tune/pid_tune" "${2:-$build/pid_tune.csv}"
    ;;
  test)
    ensure_tools
    configure
    ninja -C "$build"
    meson test -C "$build" --print-errorlogs --num-processes 2
    ;;
  *)
    echo "usage: tools/dev.sh pid_tune | test" >&2
    exit 2
    ;;
esac
