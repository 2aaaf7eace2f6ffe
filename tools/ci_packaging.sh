#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CI: every way to consume starling, built and run as a user would, plus the
# checks that keep the build descriptions in step (run by .ci/run):
#   version: include/starling/version.h against every file that states it
#   API reference: `meson compile docs` (Doxygen), no undocumented public name
#   CMake vs Meson: same files and flags (native, aarch64, Cortex-M4F, options)
#   ESP-IDF and Zephyr entry points: their file lists, with stub functions
#   consumers: CMake find_package, add_subdirectory and FetchContent, a Meson
#     subproject, pkg-config (C and C++); all print the same result bits
#   PlatformIO rules (library.json) and the Arduino layout with Debian's
#     arduino-builder: a sketch for Cortex-M4F, run under QEMU; M0+ links
# Usage: tools/ci_packaging.sh MESON_BUILD_DIR    (a built native Meson build)
# Env: OUT (default build-ci-pkg), INSTALL_DEPS (1). Debian 12; about 1-2 min.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
MB=$(cd "${1:?usage: tools/ci_packaging.sh MESON_BUILD_DIR}" && pwd)
OUT=${OUT:-$SRC/build-ci-pkg}
t0=$(date +%s)
lap() { echo "--- $1: $(( $(date +%s) - t_step )) s"; t_step=$(date +%s); }
t_step=$t0
checks=0  # each assertion below that passed; the closing line reports them

if [ "${INSTALL_DEPS:-1}" = 1 ]; then
  missing=()
  for p in cmake pkgconf doxygen arduino-builder gcc-arm-none-eabi libnewlib-arm-none-eabi \
           libstdc++-arm-none-eabi-newlib qemu-system-arm g++-aarch64-linux-gnu git; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "=== installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi
cmake --version | sed -n 1p; doxygen --version; arduino-builder -version | sed -n 1p
rm -rf "$OUT"; mkdir -p "$OUT"
quiet() {  # quiet LOG cmd...: the output only when the command fails
  local log=$1; shift
  "$@" >"$log" 2>&1 || { cat "$log"; echo "FAILED: $*"; return 1; }
}

echo "=== one version (tools/check_version.py)"
python3 "$SRC/tools/check_version.py"
checks=$((checks + 1))

echo "=== API reference: meson compile docs (Doxygen; an undocumented public name fails)"
if ! meson introspect --targets "$MB" | python3 -c 'import json, sys
sys.exit(0 if any(t["name"] == "docs" for t in json.load(sys.stdin)) else 1)'; then
  meson setup --reconfigure "$MB" >/dev/null  # Doxygen was installed after the setup
fi
meson compile -C "$MB" docs | grep run_doxygen
checks=$((checks + 1))
lap docs

echo "=== CMake and Meson build the same library (tools/check_build_sync.py)"
cmake_cfg() {  # cmake_cfg DIR [args...]
  local dir=$1; shift
  quiet "$dir.log" cmake -S "$SRC" -B "$dir" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@"
}
meson_cfg() {  # meson_cfg DIR [args...]
  local dir=$1; shift
  quiet "$dir.log" meson setup "$dir" "$SRC" -Dtests=disabled "$@"
}
# The seven configure steps run side by side (each is mostly compiler probes).
pids=()
bg() { "$@" & pids+=($!); }
bg cmake_cfg "$OUT/cmake-native"
bg meson_cfg "$OUT/meson-opts" -Dport=scalar -Dsingle_rounding=true
bg cmake_cfg "$OUT/cmake-opts" -DSTARLING_PORT=scalar -DSTARLING_SINGLE_ROUNDING=ON
bg meson_cfg "$OUT/meson-a64" --cross-file "$SRC/ports/cross/aarch64-linux-gnu.ini"
bg cmake_cfg "$OUT/cmake-a64" -DCMAKE_TOOLCHAIN_FILE="$SRC/cmake/toolchains/aarch64-linux-gnu.cmake"
bg meson_cfg "$OUT/meson-m4f" --cross-file "$SRC/ports/cross/cortex-m4f.ini"
bg cmake_cfg "$OUT/cmake-m4f" -DCMAKE_TOOLCHAIN_FILE="$SRC/cmake/toolchains/cortex-m4f.cmake"
for p in "${pids[@]}"; do wait "$p"; done
python3 "$SRC/tools/check_build_sync.py" "$MB" "$OUT/cmake-native" --label native
python3 "$SRC/tools/check_build_sync.py" "$OUT/meson-opts" "$OUT/cmake-opts" --label "port=scalar single_rounding"
python3 "$SRC/tools/check_build_sync.py" "$OUT/meson-a64" "$OUT/cmake-a64" --label aarch64
python3 "$SRC/tools/check_build_sync.py" "$OUT/meson-m4f" "$OUT/cmake-m4f" --label cortex-m4f
checks=$((checks + 4))
lap "build sync"

echo "=== ESP-IDF component and Zephyr module: file lists (stub functions, configure only)"
quiet "$OUT/entry-points.log" cmake -S "$SRC/tools/packaging/entry_points" -B "$OUT/entry-points"
grep -- "- ok" "$OUT/entry-points.log"
checks=$((checks + 2))

echo "=== consumers"
results=()
run_consumer() {  # run_consumer EXE: runs it, keeps its result fields
  local line
  line=$("$1") || { echo "$line"; echo "FAILED: $1"; return 1; }
  echo "$line"
  results+=("${line%% *}|${line#*| }")  # "consumer:|best=... evals=... fc=..."
  checks=$((checks + 1))
}
# find_package against the tree `cmake --install` writes (the native CMake
# build above; like every consumer build here, no build type: no -O, quick).
quiet "$OUT/cmake-native.build.log" cmake --build "$OUT/cmake-native" -j 2
quiet "$OUT/cmake-install.log" cmake --install "$OUT/cmake-native" --prefix "$OUT/cmake-prefix"
C="$SRC/tests/consumers"
quiet "$OUT/find_package.log" cmake -S "$C/cmake_find_package" -B "$OUT/find_package" \
  -DCMAKE_PREFIX_PATH="$OUT/cmake-prefix"
quiet "$OUT/find_package.build.log" cmake --build "$OUT/find_package" -j 2
run_consumer "$OUT/find_package/consumer"
run_consumer "$OUT/find_package/consumer_c"
lap "CMake find_package"
# add_subdirectory of the checkout (no build type: what a newcomer gets).
quiet "$OUT/add_subdirectory.log" cmake -S "$C/cmake_subdir" -B "$OUT/add_subdirectory" \
  -DSTARLING_DIR="$SRC"
quiet "$OUT/add_subdirectory.build.log" cmake --build "$OUT/add_subdirectory" -j 2
run_consumer "$OUT/add_subdirectory/consumer"
run_consumer "$OUT/add_subdirectory/consumer_c"
lap "CMake add_subdirectory"
# FetchContent clones the repository at the commit under test.
head=$(git -C "$SRC" rev-parse HEAD)
if [ -n "$(git -C "$SRC" status --porcelain --untracked-files=no)" ]; then
  echo "note: the work tree has uncommitted changes; FetchContent builds commit $head"
fi
quiet "$OUT/fetchcontent.log" cmake -S "$C/cmake_fetchcontent" -B "$OUT/fetchcontent" \
  -DSTARLING_GIT_REPOSITORY="$SRC" -DSTARLING_GIT_TAG="$head"
quiet "$OUT/fetchcontent.build.log" cmake --build "$OUT/fetchcontent" -j 2
run_consumer "$OUT/fetchcontent/consumer"
lap "CMake FetchContent"
# Meson subproject: the consumer project with subprojects/starling -> checkout.
mkdir -p "$OUT/meson-consumer"
cp -r "$C/common" "$C/meson_subproject" "$OUT/meson-consumer/"
mkdir -p "$OUT/meson-consumer/meson_subproject/subprojects"
ln -s "$SRC" "$OUT/meson-consumer/meson_subproject/subprojects/starling"
quiet "$OUT/meson-consumer.log" meson setup "$OUT/meson-consumer/build" \
  "$OUT/meson-consumer/meson_subproject" --wrap-mode=forcefallback -Dbuildtype=debug
quiet "$OUT/meson-consumer.build.log" meson compile -C "$OUT/meson-consumer/build"
run_consumer "$OUT/meson-consumer/build/consumer"
run_consumer "$OUT/meson-consumer/build/consumer_c"
lap "Meson subproject"
# pkg-config against the tree `meson install` writes (staged with DESTDIR).
quiet "$OUT/meson-install.log" meson install -C "$MB" --destdir "$OUT/meson-destdir"
pc=$(find "$OUT/meson-destdir" -name starling.pc)
export PKG_CONFIG_SYSROOT_DIR="$OUT/meson-destdir" PKG_CONFIG_PATH="${pc%/*}"
echo "pkg-config --cflags --libs starling: $(pkg-config --cflags --libs starling)"
cc -std=c99 -Wall -Wextra -pedantic -Werror -DCONSUMER_PATH='"pkg-config"' "$C/common/consumer.c" \
  $(pkg-config --cflags --libs starling) -o "$OUT/pkgconfig_c"
c++ -std=c++17 -Wall -Wextra -Werror -DCONSUMER_PATH='"pkg-config"' "$C/common/consumer.cpp" \
  $(pkg-config --cflags --libs starling) -o "$OUT/pkgconfig_cpp"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH
run_consumer "$OUT/pkgconfig_cpp"
run_consumer "$OUT/pkgconfig_c"
lap pkg-config
# The same library source gives the same bits whichever way it was built.
for kind in "consumer:" "consumer-c:"; do
  n=$(printf '%s\n' "${results[@]}" | grep -c "^$kind|")
  distinct=$(printf '%s\n' "${results[@]}" | grep "^$kind|" | sed 's/^[^|]*|//' | sort -u)
  if [ "$(printf '%s\n' "$distinct" | wc -l)" != 1 ]; then
    printf '%s\n' "${results[@]}"; echo "FAILED: the $kind results differ between consumer paths"
    exit 1
  fi
  echo "$kind $n paths, one result: $distinct"
  checks=$((checks + 1))
done

echo "=== PlatformIO rules (library.json srcFilter/flags), Cortex-M4F under QEMU; Cortex-M0+ links"
sketch="$SRC/packaging/arduino/examples/PidTune/PidTune.ino"
check_sketch() {  # check_sketch ELF LABEL: runs it, checks the DSP port and the tuned cost
  local out
  out=$(sh "$SRC/ports/baremetal/qemu-mps2-semihost.sh" "$1") || { echo "$out"; echo "FAILED: $2 exit"; return 1; }
  echo "$out" | sed "s/^/$2: /"
  # The DSP kernel must be the one bound (chosen from the compiler's predefines).
  echo "$out" | grep -q "int8 kernels: cortexm_dsp" || { echo "FAILED: $2 does not use cortexm_dsp"; return 1; }
  # 480 episodes tuned: cost about 1.12 (the swarm's answer; Ziegler-Nichols'
  # gains score 9.6 and the box centre 7.5 on this plant and cost).
  echo "$out" | awk '/episodes/ { split($0, a, "cost = "); c = a[2] + 0; found = 1 }
    END { if (!found || !(c < 1.2)) { print "FAILED: tuned cost " c " not below 1.2"; exit 1 } }'
  echo "$out" | grep "episodes" | sed 's/.*PidTune: //' > "$OUT/$2.result"
  checks=$((checks + 1))
}
quiet "$OUT/pio-m4f.log" python3 "$SRC/tools/packaging/pio_build.py" "$OUT/pio-m4f" "$sketch" --cpu cortex-m4f
tail -1 "$OUT/pio-m4f.log"
check_sketch "$OUT/pio-m4f/firmware.elf" platformio
quiet "$OUT/pio-m0plus.log" python3 "$SRC/tools/packaging/pio_build.py" "$OUT/pio-m0plus" "$sketch" --cpu cortex-m0plus
if arm-none-eabi-nm "$OUT/pio-m0plus/firmware.elf" | grep -q cortexm_dsp; then
  echo "FAILED: the Cortex-M0+ image links the DSP kernel"; exit 1
fi
echo "platformio: Cortex-M0+ (no DSP) links with the scalar kernels only"
checks=$((checks + 1))
lap PlatformIO

echo "=== Arduino layout (tools/make_arduino_lib.py) built by arduino-builder, Cortex-M4F under QEMU"
A="$OUT/arduino"
python3 "$SRC/tools/make_arduino_lib.py" "$A/libraries" --zip
hw="$A/hardware/starlingci/arm"
mkdir -p "$hw/cores/qemu" "$A/build"
cp "$SRC/tools/packaging/arduino-ci/platform.txt" "$SRC/tools/packaging/arduino-ci/boards.txt" "$hw/"
cp "$SRC/tools/packaging/arduino-ci/Arduino.h" "$SRC/tools/packaging/arduino-ci/main.cpp" \
   "$SRC/ports/baremetal/startup_cm.cpp" "$SRC/ports/baremetal/mps2_an386.ld" "$hw/cores/qemu/"
cp -r "$A/libraries/starling/examples/PidTune" "$A/"
quiet "$A/build.log" arduino-builder -compile -hardware /usr/share/arduino-builder -hardware "$A/hardware" \
  -tools /usr/share/arduino-builder -libraries "$A/libraries" -fqbn starlingci:arm:mps2an386 \
  -build-path "$A/build" -warnings none -verbose "$A/PidTune/PidTune.ino"
grep "Using library" "$A/build.log"
check_sketch "$A/build/PidTune.ino.elf" arduino
# Arduino gives the library no flags of its own (no -ffp-contract=off), so the
# compiler may fuse a*b+c in the library's float code; PlatformIO's build has
# the flag. Equal results need the library to guard its own float code.
fused=$(arm-none-eabi-objdump -d "$A"/build/libraries/starling/*/*.o "$A"/build/libraries/starling/*/*/*.o 2>/dev/null \
  | grep -cE '\svf(n?m[as])\.f' || true)
if cmp -s "$OUT/platformio.result" "$OUT/arduino.result"; then
  echo "arduino: same tuned gains, bit for bit, as the PlatformIO build ($fused fused multiply-adds in the library objects)"
else
  echo "note: arduino and platformio results differ in the last digits: the library objects"
  echo "      compiled with the core's flags hold $fused fused multiply-adds (no -ffp-contract=off)"
fi
lap Arduino

echo "=== packaging CI passed in $(( $(date +%s) - t0 )) s"
echo "packaging: ${checks} passed, 0 failed"
