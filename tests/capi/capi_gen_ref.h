/* SPDX-License-Identifier: MIT */
/* tests/capi/capi_gen_ref.h: the C++ side of test_capi_gen.c. Runs
 * starling::De / Cmaes<CAPI_REF_MAX_DIMS, STARLING_MAX_POP, float> (the C
 * build's population capacity: De's archive and both default populations are
 * limited by it) on a case with the same box, objective and hash as
 * capi_ref.h, so the C test can compare the C API's trajectory with the C++
 * one, and continue a state the C API saved. */
#ifndef STARLING_TESTS_CAPI_GEN_REF_H
#define STARLING_TESTS_CAPI_GEN_REF_H

#include <stddef.h>
#include <stdint.h>

#include "capi_ref.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { GEN_DE = 0, GEN_CMAES = 1 };

/* One run: variant 0 = the default config, 1 = a documented alternative
 * (De: memory_size 3, p_best 0.2, no archive; Cmaes: separable form, no
 * IPOP, sigma0 0.2). batch != 0: asked and told through ask_batch/tell_batch
 * in chunks of `batch` (serial-equivalent: the same trajectory). */
typedef struct gen_case {
  const char* name;
  int variant;
  int dims;
  int population;
  int max_iter;
  long max_evals;
  uint64_t seed;
  int batch;
} gen_case;

capi_result capi_gen_ref_run(int which, const gen_case* c);
/* Loads a saved state into the C++ optimizer and runs it to its end with
 * capi_objective; the hash covers the continuation only. status: of load. */
capi_result capi_gen_ref_resume(int which, const uint8_t* blob, size_t n);

#ifdef __cplusplus
}
#endif

#endif
