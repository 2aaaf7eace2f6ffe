#!/bin/sh
# SPDX-License-Identifier: MIT
# check_fp_guard.sh SRC: fails unless every library translation unit (src/*.cpp,
# ports/<port>/*.cpp) starts with the determinism guard, i.e. its first
# #include is "starling/detail/fp_strict.hpp", followed by STARLING_FP_STRICT_TU
# (docs/determinism.md). A file added without it would follow the consumer's
# fp-contract flags.
src=${1:-.}
status=0
n=0
for f in "$src"/src/*.cpp "$src"/ports/*/*.cpp; do
  case "$f" in */ports/baremetal/*) continue ;; esac  # test start-up code, not the library
  [ -f "$f" ] || continue
  n=$((n + 1))
  ok=$(awk '
    /^#include/ && !seen { seen = 1; if ($0 != "#include \"starling/detail/fp_strict.hpp\"") { print "no"; exit } next }
    seen && /^[ \t]*$/ { next }
    seen { print ($0 == "STARLING_FP_STRICT_TU") ? "yes" : "no"; exit }
    END { if (!seen) print "no" }' "$f")
  if [ "$ok" != yes ]; then
    echo "FAIL $f: must start with #include \"starling/detail/fp_strict.hpp\" then STARLING_FP_STRICT_TU"
    status=1
  fi
done
[ "$n" -gt 0 ] || { echo "FAIL no library sources under $src"; exit 1; }
[ $status -eq 0 ] && echo "OK: all $n library translation units start with the determinism guard"
exit $status
