#!/bin/sh
# SPDX-License-Identifier: MIT
# check_isa_isolation.sh NM LIB...: fails if a port library compiled with ISA
# flags defines a weak (COMDAT) symbol. The linker keeps one copy of such a
# symbol for the whole program, so an inline function from a shared header
# instantiated there with -mavx2 could run in portable code on a CPU without
# AVX2. The port's files call helpers compiled without ISA flags instead.
nm="$1"
shift
status=0
for lib in "$@"; do
  # typeinfo objects (emitted by clang's -fsanitize=function) are data: no
  # instructions, so no ISA to leak.
  weak=$("$nm" -C "$lib" | grep -E ' [WVu] ' | grep -v ' typeinfo ')
  if [ -n "$weak" ]; then
    echo "FAIL $lib defines weak symbols:"
    echo "$weak"
    status=1
  else
    echo "ok   $lib: no weak symbols"
  fi
done
exit $status
