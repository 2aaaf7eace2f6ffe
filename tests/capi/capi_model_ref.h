/* SPDX-License-Identifier: MIT */
/* tests/capi/capi_model_ref.h: the C++ side of the C API test of Bobyqa,
 * BayesOpt and Tuner: capi_model_ref.cpp runs the C++ classes (float) on the
 * test's cost so that test_capi_model.c can compare the C API with them bit
 * for bit. */
#ifndef STARLING_TESTS_CAPI_MODEL_REF_H
#define STARLING_TESTS_CAPI_MODEL_REF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The cost both sides use: sum of (x_d − 0.3)², in float. */
float capi_model_cost(const float* x, int dims, void* user);

/* Runs optimizer `which` (0 Bobyqa, 1 BayesOpt, 2 Tuner) over [-1, 1]^dims
 * with the default config except candidates 32 and fit_evals 8 for the
 * Gaussian process (and seed), for `evals` evaluations: writes every asked
 * point to xs (evals·dims floats), then asks once more (so that an ask is
 * pending) and saves the state to blob (cap bytes, size to *written).
 * Returns 0 on success. */
int capi_model_ref_run(int which, int dims, uint64_t seed, int evals, float* xs, uint8_t* blob,
                       size_t cap, size_t* written);

/* Loads blob into the C++ optimizer and returns the status of load()
 * (0 = Ok); on success writes the next `evals` asked points to xs. */
int capi_model_ref_resume(int which, const uint8_t* blob, size_t size, int evals, float* xs);

#ifdef __cplusplus
}
#endif

#endif
