#!/bin/sh
# SPDX-License-Identifier: MIT
# count_fma.sh CXX "FLAGS" [EXTRA_SOURCES...]: fused multiply-add instructions
# the compiler emits for the library's portable sources (src/*.cpp and the
# scalar port, plus any extra files such as a port's swarm kernel), one line a
# file and a total; docs/determinism.md's table was made with it. Run from the
# source root. Examples:
#   tools/count_fma.sh aarch64-linux-gnu-g++ "-O2 -std=gnu++17" ports/neon/f32_swarm_update__neon.cpp
#   tools/count_fma.sh arm-none-eabi-g++ "-O2 -std=gnu++17 -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
#   tools/count_fma.sh "clang++ --target=aarch64-linux-gnu" "-O2 -std=c++17 -ffp-contract=fast"
set -eu
cxx=$1
flags=$2
shift 2
total=0
for f in src/*.cpp ports/scalar/*.cpp "$@"; do
  [ -f "$f" ] || continue
  # shellcheck disable=SC2086  # cxx and flags are lists of words
  n=$($cxx $flags -DSTARLING_HAVE_NEON=1 -fno-exceptions -fno-rtti -Iinclude -S -o - "$f" |
      grep -cE '^[[:space:]]+(fn?m(add|sub)|fml[as]|vfn?m[as]|vfn?madd|vfn?msub)[a-z0-9.]*[[:space:]]' || true)
  [ "$n" -gt 0 ] && echo "  $f: $n"
  total=$((total + n))
done
echo "total $total"
