/* SPDX-License-Identifier: MIT */
/* tests/capi/qnet_ref.h: the C++ side of the QNet C API test. qnet_ref.cpp
 * holds the committed models (the blobs of tests/qnet/qnet_golden.hpp and
 * examples/requant_tune/exported_model.h) and the graph models of
 * tests/qnet/gen_graph_golden.py (convolution, residual add, pooling,
 * softmax, mean), and runs each with the C++ QNet (every layer kind enabled)
 * (from the C++ layer table where there is one, else from the C++ loader),
 * so test_qnet_capi.c can compare the C API with it byte for byte; the
 * quantization helpers likewise. */
#ifndef STARLING_TESTS_QNET_REF_H
#define STARLING_TESTS_QNET_REF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One committed model. golden_* are the inputs, scores and classes that
 * tools (tests/qnet/gen_qnet_golden.py, an independent Python reference)
 * computed for it, or NULL / 0. */
typedef struct qnet_ref_model {
  const char* name;
  const uint8_t* blob; /* 4-byte aligned */
  size_t blob_size;
  int input_dim, output_dim, num_layers;
  size_t arena_bytes_1; /* the C++ QNetCore's arena_bytes(1) */
  const int8_t* golden_in;
  const int8_t* golden_out;
  const int* golden_class;
  int golden_count;
  int graph;           /* 1: needs more than the FC/LUT/argmax chain (qnet_model_ops) */
  size_t golden_arena; /* the planned arena the Python importer computed, or 0 */
} qnet_ref_model;

int qnet_ref_count(void);
qnet_ref_model qnet_ref_get(int i);

/* The C++ QNetCore's arena_bytes(batches) for model i. */
size_t qnet_ref_arena_bytes(int i, int batches);
/* The C++ QNetCore's max_batches() for model i on an arena of arena_bytes
 * (0 when that is too small for one sample). */
int qnet_ref_max_batches(int i, size_t arena_bytes);

/* starling::qnet_default_ops(), and qnet_model_ops() of model i. */
uint32_t qnet_ref_default_ops(void);
uint32_t qnet_ref_model_ops(int i);

/* Runs model i with the C++ evaluator on `batches` samples; returns the
 * starling::Status (as int) of run and of classify (both must agree). */
int qnet_ref_run(int i, const int8_t* input, int batches, int8_t* output, int* classes);

/* starling::quantize_input / dequantize_output (C++ API), status as int. */
int qnet_ref_quantize(const float* x, int n, float scale, int32_t zp, int8_t* q);
int qnet_ref_dequantize(const int8_t* q, int n, float scale, int32_t zp, float* x);

#ifdef __cplusplus
}
#endif

#endif
