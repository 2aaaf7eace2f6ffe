#!/bin/sh
# SPDX-License-Identifier: MIT
# Meson exe_wrapper for Cortex-M7 ELFs: qemu-mps2-semihost.sh on mps2-an500.
# (Meson cross files cannot set environment variables, hence this wrapper.)
QEMU_MACHINE=mps2-an500 QEMU_CPU=cortex-m7 exec "$(dirname "$0")/qemu-mps2-semihost.sh" "$@"
