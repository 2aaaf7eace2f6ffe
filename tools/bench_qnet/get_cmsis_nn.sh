#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetches CMSIS-NN's public source (Apache-2.0) into a build directory, for
# the benchmarks' peer build; it is never committed or linked into starling.
# Usage: tools/bench_qnet/get_cmsis_nn.sh DEST [GIT_URL_OR_DIR] [REF]
#   then: meson configure BUILD -Dcmsis_nn=DEST   (or meson setup ... -Dcmsis_nn=DEST)
set -eu
dest=$1
src=${2:-https://github.com/ARM-software/CMSIS-NN.git}
ref=${3:-}
if [ -f "$dest/Include/arm_nnfunctions.h" ]; then echo "$dest: already there"; exit 0; fi
mkdir -p "$dest"
if [ -d "$src" ] && git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    # A local clone or bare mirror: export its tree.
    git -C "$src" archive "${ref:-HEAD}" Include Source | tar -x -C "$dest"
else
    tmp=$dest.clone.$$
    git clone --quiet --depth 1 ${ref:+--branch "$ref"} "$src" "$tmp"
    cp -R "$tmp/Include" "$tmp/Source" "$dest/"
    git -C "$tmp" rev-parse HEAD > "$dest/COMMIT"
    rm -rf "$tmp"
fi
echo "CMSIS-NN in $dest"
