/* SPDX-License-Identifier: MIT */
/* A C99 program on starling's C API, built by the consumer paths CI checks
 * (pkg-config with cc, CMake find_package): it minimizes a function and checks
 * that the headers and the library are the same version. Prints one
 * "consumer-c:" line and exits non-zero on failure. */
#include <stdio.h>
#include <string.h>

#include "starling/starling.h"

#ifndef CONSUMER_PATH
#define CONSUMER_PATH "unnamed"
#endif

static float sphere(const float* x, int dims, void* user) {
  float s = 0.0f;
  int i;
  (void)user;
  for (i = 0; i < dims; ++i) s += (x[i] - 0.5f) * (x[i] - 0.5f);
  return s;
}

int main(void) {
  static starling_pso pso; /* its whole memory: sizeof(starling_pso) */
  starling_pso_config cfg;
  const float lo[3] = {-2.0f, -2.0f, -2.0f}, hi[3] = {2.0f, 2.0f, 2.0f};
  int failures = 0;
  if (strcmp(starling_version(), STARLING_VERSION) != 0) {
    printf("FAIL: headers say %s, library says %s\n", STARLING_VERSION, starling_version());
    ++failures;
  }
  if (starling_pso_config_default(&cfg) != STARLING_OK) ++failures;
  cfg.max_iter = 100;
  if (starling_pso_init(&pso, lo, hi, 3, 16, &cfg, 7) != STARLING_OK ||
      starling_pso_minimize(&pso, sphere, NULL) != STARLING_OK ||
      !(starling_pso_best_value(&pso) < 1e-4f)) {
    printf("FAIL: optimizer (best %g)\n", (double)starling_pso_best_value(&pso));
    ++failures;
  }
  printf("consumer-c: path=%s version=%s | best=%a evals=%ld\n", CONSUMER_PATH, starling_version(),
         (double)starling_pso_best_value(&pso), starling_pso_evaluations(&pso));
  return failures == 0 ? 0 : 1;
}
