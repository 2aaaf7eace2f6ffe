# SPDX-License-Identifier: MIT
# The library's sources for CMake, ESP-IDF and Zephyr: the same files as the
# Meson lists in src/meson.build and ports/*/meson.build (the primary build).
# tools/check_build_sync.py fails CI when the two builds compile different
# files or give a file different flags: a file added to a meson.build list
# goes into the matching list here. Paths are absolute.
set(STARLING_ROOT "${CMAKE_CURRENT_LIST_DIR}/..")
get_filename_component(STARLING_ROOT "${STARLING_ROOT}" ABSOLUTE)

# src/meson.build: the portable, non-template code.
set(STARLING_CORE_SOURCES
  src/opt_core.cpp src/pso.cpp src/quant.cpp src/qnet.cpp src/qmodel.cpp src/c_api.cpp src/crc32.cpp
  src/pso_state.cpp src/dispatch.cpp src/layers.cpp src/layer_dispatch.cpp src/conv_im2col.cpp src/qnet_graph.cpp
  src/version.cpp src/selftest.cpp src/qnet_c_api.cpp src/quant_io.cpp
  src/de.cpp src/de_state.cpp src/cmaes.cpp src/cmaes_state.cpp src/c_api_de.cpp src/c_api_cmaes.cpp
  src/det_math.cpp src/nelder_mead.cpp src/nelder_mead_state.cpp src/spsa.cpp src/spsa_state.cpp
  src/anneal.cpp src/anneal_state.cpp src/c_api_nelder_mead.cpp src/c_api_spsa.cpp src/c_api_anneal.cpp
  src/train.cpp src/polystep.cpp
  src/bobyqa.cpp src/bobyqa_state.cpp src/bayesopt.cpp src/bayesopt_state.cpp src/tuner.cpp
  src/tuner_state.cpp src/c_api_bobyqa.cpp src/c_api_bayesopt.cpp src/c_api_tuner.cpp)
# ports/scalar/meson.build: the reference kernels, always built.
set(STARLING_SCALAR_SOURCES
  ports/scalar/s8_fc__scalar.cpp ports/scalar/f32_swarm_update__scalar.cpp
  ports/scalar/s8_conv__scalar.cpp ports/scalar/s8_depthwise__scalar.cpp ports/scalar/s8_pool__scalar.cpp
  ports/scalar/s8_add__scalar.cpp ports/scalar/s8_softmax__scalar.cpp)
# ports/x86/meson.build: compiled without ISA flags into the library ...
set(STARLING_X86_BASE_SOURCES
  ports/x86/cpu_x86.cpp ports/x86/f32_swarm_x86_base.cpp)
# ... and one object set per ISA, each with only its own flags.
set(STARLING_X86_SSE41_SOURCES ports/x86/s8_fc__sse41.cpp)
set(STARLING_X86_AVX2_SOURCES
  ports/x86/s8_fc__avx2.cpp ports/x86/f32_swarm_update__avx2.cpp ports/x86/s8_depthwise__avx2.cpp
  ports/x86/s8_add__avx2.cpp)
set(STARLING_X86_AVX512VNNI_SOURCES
  ports/x86/s8_fc__avx512vnni.cpp ports/x86/f32_swarm_update__avx512.cpp
  ports/x86/s8_depthwise__avx512vnni.cpp ports/x86/s8_conv__avx512vnni.cpp ports/x86/s8_add__avx512vnni.cpp)
# ports/neon/meson.build: baseline armv8-a, and the dotprod kernel.
set(STARLING_NEON_SOURCES
  ports/neon/s8_fc__neon.cpp ports/neon/f32_swarm_update__neon.cpp ports/neon/cpu_arm.cpp
  ports/neon/s8_depthwise__neon.cpp)
set(STARLING_NEON_DOTPROD_SOURCES ports/neon/s8_fc__neon_dotprod.cpp ports/neon/s8_depthwise__neon_dotprod.cpp)
# ports/cortexm/meson.build: the ARMv7E-M DSP kernels.
set(STARLING_CORTEXM_SOURCES
  ports/cortexm/s8_fc__cortexm_dsp.cpp ports/cortexm/s8_conv__cortexm_dsp.cpp
  ports/cortexm/s8_depthwise__cortexm_dsp.cpp)

foreach(_list CORE SCALAR X86_BASE X86_SSE41 X86_AVX2 X86_AVX512VNNI NEON NEON_DOTPROD CORTEXM)
  list(TRANSFORM STARLING_${_list}_SOURCES PREPEND "${STARLING_ROOT}/")
endforeach()
unset(_list)

# What a build that does not configure the ports compiles (ESP-IDF, Zephyr;
# Arduino and PlatformIO take the same folders by glob): the portable code,
# the scalar reference, and the Cortex-M DSP kernels, which compile to nothing
# on a core without the DSP extension (src/dispatch.cpp and
# src/layer_dispatch.cpp pick them from the same compiler predefines).
set(STARLING_PORTABLE_SOURCES
  ${STARLING_CORE_SOURCES} ${STARLING_SCALAR_SOURCES} ${STARLING_CORTEXM_SOURCES})
