# SPDX-License-Identifier: MIT
# CMake toolchain file: bare-metal Cortex-M4F with Debian's gcc-arm-none-eabi
# and newlib, the CMake twin of ports/cross/cortex-m4f.ini. The library
# builds; a firmware image also needs the board's start-up code and linker
# script (ports/baremetal has the ones the QEMU tests use).
#   cmake -S . -B build-m4f -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/cortex-m4f.cmake
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
# Probes compile but do not link: there is no start-up code or linker script yet.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(_starling_arch "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT "${_starling_arch} --specs=nano.specs -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${_starling_arch} --specs=nano.specs -ffunction-sections -fdata-sections -fno-exceptions -fno-rtti")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_starling_arch} --specs=nano.specs -Wl,--gc-sections")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
