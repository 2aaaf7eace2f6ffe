/* SPDX-License-Identifier: MIT */
/* tests/capi/capi_family_ref.h: the C++ side of test_capi_family.c. Runs
 * starling::NelderMead / Spsa / Anneal<64, float> on a case with the same
 * box, objective and hash as capi_ref.h, so the C test can compare the C
 * API's trajectory with the C++ one, and continue a state the C API saved. */
#ifndef STARLING_TESTS_CAPI_FAMILY_REF_H
#define STARLING_TESTS_CAPI_FAMILY_REF_H

#include <stddef.h>
#include <stdint.h>

#include "capi_ref.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { FAM_NELDER_MEAD = 0, FAM_SPSA = 1, FAM_ANNEAL = 2 };

/* One run: variant 0 = the default config, 1 = a documented alternative
 * (NelderMead: classic coefficients, restart_tol 0.01; Spsa: n_avg 2,
 * theta_every 0; Anneal: no local phase, q_a -2). */
typedef struct fam_case {
  const char* name;
  int variant;
  int dims;
  int max_iter;
  long max_evals;
  uint64_t seed;
} fam_case;

capi_result capi_family_ref_run(int which, const fam_case* c);
/* Loads a saved state into the C++ optimizer and runs it to its end with
 * capi_objective; the hash covers the continuation only. status: of load. */
capi_result capi_family_ref_resume(int which, const uint8_t* blob, size_t n);

#ifdef __cplusplus
}
#endif

#endif
