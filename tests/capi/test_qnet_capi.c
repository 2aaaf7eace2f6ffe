/* SPDX-License-Identifier: MIT */
/* tests/capi/test_qnet_capi.c: the QNet C API (starling/qnet.h), compiled as C99.
 *
 * Proves that the C API gives the bytes of the C++ QNet (qnet_ref.cpp) on
 * every committed model (fully-connected chains and the graph models of
 * tests/qnet/gen_graph_golden.py), at every batch size its arena allows,
 * and the scores the independent Python reference computed (tests/qnet/
 * gen_qnet_golden.py, gen_graph_golden.py); checks op sets, every failure
 * mode (NULL, misaligned or corrupt blobs, capacities, not ready, copies,
 * overwritten headers) and the quantization helpers against the C++ ones
 * and hand-worked values. Built three times (meson.build): default
 * capacities, small ones and large ones (every graph model fits).
 *
 * Output: one "ok"/"FAIL" line a case, then "N passed, M failed". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "exported_model_c.h" /* tools/export_qnet.py --c-header, committed */
#include "qnet_ref.h"
#include "starling/qnet.h"

#include "check_c.h"

/* Deterministic inputs: the Numerical Recipes LCG. */
static uint32_t g_lcg = 12345u;
static int8_t next_i8(void) {
  g_lcg = g_lcg * 1664525u + 1013904223u;
  return (int8_t)((int)(g_lcg >> 24) - 128);
}

static starling_qnet g_net; /* static storage: zeroed, the usual firmware placement */

#define MAX_BATCH 64
#define MAX_DIM 64
static int8_t g_in[MAX_BATCH * MAX_DIM], g_out_c[MAX_BATCH * MAX_DIM],
    g_out_cpp[MAX_BATCH * MAX_DIM];
static int g_cls_c[MAX_BATCH], g_cls_cpp[MAX_BATCH];

static void check_not_ready(starling_qnet* n);

/* Loads model m: graph models with every kind enabled (the default op set
 * of a firmware build runs chains only). */
static starling_status load_model(starling_qnet* n, const qnet_ref_model* m) {
  return m->graph ? starling_qnet_load_ops(n, STARLING_QNET_OPS_ALL, m->blob, m->blob_size)
                  : starling_qnet_load(n, m->blob, m->blob_size);
}

/* 4-byte aligned room for copies of a blob (misaligned, corrupted, truncated). */
static union {
  uint32_t align;
  uint8_t b[4096 + 8];
} g_buf;

/* The first committed model that fits this build's capacities. */
static qnet_ref_model fitting_model(void) {
  int i;
  for (i = 0; i < qnet_ref_count(); ++i) {
    const qnet_ref_model m = qnet_ref_get(i);
    if (m.num_layers <= STARLING_QNET_MAX_LAYERS &&
        m.arena_bytes_1 <= (size_t)STARLING_QNET_ARENA_BYTES)
      return m;
  }
  /* A plain failure (clang's -Wstring-conversion refuses CHECK(!"...")). */
  check_report(0, "no committed model fits this build's capacities", __FILE__, __LINE__);
  return qnet_ref_get(0);
}

/* ---- the cases ---------------------------------------------------------- */

static void test_sizes(void) {
  CHECK_EQ_INT(sizeof(starling_qnet),
               STARLING_QNET_SIZE(STARLING_QNET_MAX_LAYERS, STARLING_QNET_ARENA_BYTES));
  CHECK_EQ_INT(starling_qnet_size(STARLING_QNET_MAX_LAYERS, STARLING_QNET_ARENA_BYTES),
               sizeof(starling_qnet));
  CHECK_EQ_INT(starling_qnet_size(3, 100), STARLING_QNET_SIZE(3, 100));
  CHECK_EQ_INT(starling_qnet_size(1, 0), STARLING_QNET_SIZE(1, 0));
  CHECK_EQ_INT(starling_qnet_size(0, 100), 0);
  CHECK_EQ_INT(starling_qnet_size(65536, 100), 0);
  CHECK_EQ_INT(starling_qnet_size(1, ((size_t)1 << 30) + 1), 0);
  CHECK_EQ_INT(STARLING_QNET_CORE_BYTES % 8, 0);
  CHECK_EQ_INT(STARLING_QNET_LAYER_BYTES % 8, 0);
}

/* Every committed model: shapes as the C++ QNet reports them, and the bytes
 * of run and classify at every batch size the arena allows. */
static void test_models_match_cpp(void) {
  int i, tried = 0, graphs = 0;
  for (i = 0; i < qnet_ref_count(); ++i) {
    const qnet_ref_model m = qnet_ref_get(i);
    const int fits = m.num_layers <= STARLING_QNET_MAX_LAYERS &&
                     m.arena_bytes_1 <= (size_t)STARLING_QNET_ARENA_BYTES;
    int b, max_b, k;
    const starling_status st = load_model(&g_net, &m);
    CHECK(m.arena_bytes_1 > 0 || m.num_layers == 1);
    if (m.golden_arena != 0) CHECK_EQ_INT(m.arena_bytes_1, m.golden_arena);
    if (!fits) {
      CHECK_EQ_INT(st, STARLING_CAPACITY_EXCEEDED);
      continue;
    }
    ++tried;
    graphs += m.graph;
    if (!CHECK(st == STARLING_OK)) printf("     model %s: status %d\n", m.name, (int)st);
    CHECK_EQ_INT(starling_qnet_input_dim(&g_net), m.input_dim);
    CHECK_EQ_INT(starling_qnet_output_dim(&g_net), m.output_dim);
    CHECK_EQ_INT(starling_qnet_num_layers(&g_net), m.num_layers);
    CHECK_EQ_INT(starling_qnet_arena_bytes(&g_net, 1), m.arena_bytes_1);
    CHECK_EQ_INT(starling_qnet_arena_bytes(&g_net, 3), qnet_ref_arena_bytes(i, 3));
    if (!m.graph) CHECK_EQ_INT(starling_qnet_arena_bytes(&g_net, 3), 3 * m.arena_bytes_1);
    CHECK_EQ_INT(starling_qnet_arena_bytes(&g_net, 0), 0);
    max_b = starling_qnet_max_batches(&g_net);
    CHECK_EQ_INT(max_b, qnet_ref_max_batches(i, STARLING_QNET_ARENA_BYTES));
    if (!m.graph)
      CHECK_EQ_INT(max_b, m.arena_bytes_1 == 0 ? 0x7fffffff / m.input_dim
                                               : STARLING_QNET_ARENA_BYTES / (long)m.arena_bytes_1);
    for (b = 1; b <= max_b && b <= MAX_BATCH && b * m.input_dim <= MAX_BATCH * MAX_DIM &&
                b * m.output_dim < MAX_BATCH * MAX_DIM;
         b += (b < 4 ? 1 : 7)) {
      for (k = 0; k < b * m.input_dim; ++k) g_in[k] = next_i8();
      memset(g_out_c, 0x55, sizeof g_out_c);
      CHECK_EQ_INT(qnet_ref_run(i, g_in, b, g_out_cpp, g_cls_cpp), 0);
      CHECK_EQ_INT(starling_qnet_run(&g_net, g_in, g_out_c, b), STARLING_OK);
      CHECK(memcmp(g_out_c, g_out_cpp, (size_t)(b * m.output_dim)) == 0);
      CHECK_EQ_INT(g_out_c[b * m.output_dim], 0x55); /* nothing written past the output */
      CHECK_EQ_INT(starling_qnet_classify(&g_net, g_in, g_cls_c, b), STARLING_OK);
      CHECK(memcmp(g_cls_c, g_cls_cpp, (size_t)b * sizeof(int)) == 0);
    }
  }
  CHECK(tried >= 1);
  /* Graph models run at the default capacities (convnet: 7 layers, 388 B). */
  if (STARLING_QNET_MAX_LAYERS >= 8 && STARLING_QNET_ARENA_BYTES >= 512) CHECK(graphs >= 2);
}

/* Op sets: a graph model needs its kinds; the chain is always there; the
 * default is the library's (every kind hosted, chains on firmware). */
static void test_op_sets(void) {
  int i, tried = 0;
  const uint32_t dflt = qnet_ref_default_ops();
  CHECK(dflt == STARLING_QNET_OPS_ALL || dflt == STARLING_QNET_OPS_CHAIN);
  for (i = 0; i < qnet_ref_count(); ++i) {
    const qnet_ref_model m = qnet_ref_get(i);
    const uint32_t need = qnet_ref_model_ops(i);
    uint32_t bit;
    if (m.num_layers > STARLING_QNET_MAX_LAYERS ||
        m.arena_bytes_1 > (size_t)STARLING_QNET_ARENA_BYTES)
      continue;
    ++tried;
    CHECK_EQ_INT((need & STARLING_QNET_OP_GRAPH) != 0, m.graph);
    /* Exactly the kinds it needs (the chain added). */
    CHECK_EQ_INT(starling_qnet_load_ops(&g_net, need, m.blob, m.blob_size), STARLING_OK);
    CHECK_EQ_INT(starling_qnet_ops(&g_net), need | STARLING_QNET_OPS_CHAIN);
    /* The library's default. */
    if (!m.graph || dflt == STARLING_QNET_OPS_ALL) {
      CHECK_EQ_INT(starling_qnet_load(&g_net, m.blob, m.blob_size), STARLING_OK);
      CHECK_EQ_INT(starling_qnet_ops(&g_net), dflt);
      CHECK_EQ_INT(starling_qnet_load_ops(&g_net, STARLING_QNET_OPS_DEFAULT, m.blob, m.blob_size),
                   STARLING_OK);
      CHECK_EQ_INT(starling_qnet_ops(&g_net), dflt);
    } else {
      CHECK_EQ_INT(starling_qnet_load(&g_net, m.blob, m.blob_size), STARLING_CAPACITY_EXCEEDED);
      check_not_ready(&g_net);
    }
    if (!m.graph) {
      CHECK_EQ_INT(starling_qnet_load_ops(&g_net, STARLING_QNET_OPS_CHAIN, m.blob, m.blob_size),
                   STARLING_OK);
      CHECK_EQ_INT(starling_qnet_ops(&g_net), STARLING_QNET_OPS_CHAIN);
      continue;
    }
    /* A graph model on the chain alone, or lacking any one of its kinds. */
    CHECK_EQ_INT(starling_qnet_load_ops(&g_net, STARLING_QNET_OPS_CHAIN, m.blob, m.blob_size),
                 STARLING_CAPACITY_EXCEEDED);
    check_not_ready(&g_net);
    for (bit = STARLING_QNET_OP_CONV2D; bit <= STARLING_QNET_OP_MEAN; bit <<= 1) {
      if ((need & bit) == 0) continue;
      CHECK_EQ_INT(starling_qnet_load_ops(&g_net, need & ~bit, m.blob, m.blob_size),
                   STARLING_CAPACITY_EXCEEDED);
      check_not_ready(&g_net);
    }
    /* Every kind: the same bytes as the exact set. */
    CHECK_EQ_INT(starling_qnet_load_ops(&g_net, STARLING_QNET_OPS_ALL, m.blob, m.blob_size),
                 STARLING_OK);
    CHECK_EQ_INT(starling_qnet_ops(&g_net), STARLING_QNET_OPS_ALL);
  }
  CHECK(tried >= 1);
}

/* The scores tests/qnet/gen_qnet_golden.py computed in Python. */
static void test_models_match_python(void) {
  int i, b;
  for (i = 0; i < qnet_ref_count(); ++i) {
    const qnet_ref_model m = qnet_ref_get(i);
    if (m.golden_count == 0 || m.num_layers > STARLING_QNET_MAX_LAYERS ||
        m.arena_bytes_1 > (size_t)STARLING_QNET_ARENA_BYTES)
      continue;
    CHECK_EQ_INT(load_model(&g_net, &m), STARLING_OK);
    for (b = 0; b < m.golden_count; ++b) {
      int cls = -1;
      CHECK_EQ_INT(starling_qnet_run(&g_net, m.golden_in + b * m.input_dim, g_out_c, 1),
                   STARLING_OK);
      CHECK(memcmp(g_out_c, m.golden_out + b * m.output_dim, (size_t)m.output_dim) == 0);
      CHECK_EQ_INT(starling_qnet_classify(&g_net, m.golden_in + b * m.input_dim, &cls, 1),
                   STARLING_OK);
      CHECK_EQ_INT(cls, m.golden_class[b]);
    }
  }
}

static void check_not_ready(starling_qnet* n) {
  CHECK_EQ_INT(starling_qnet_input_dim(n), 0);
  CHECK_EQ_INT(starling_qnet_output_dim(n), 0);
  CHECK_EQ_INT(starling_qnet_num_layers(n), 0);
  CHECK_EQ_INT(starling_qnet_max_batches(n), 0);
  CHECK_EQ_INT(starling_qnet_arena_bytes(n, 1), 0);
  CHECK_EQ_INT(starling_qnet_run(n, g_in, g_out_c, 1), STARLING_NOT_READY);
  CHECK_EQ_INT(starling_qnet_classify(n, g_in, g_cls_c, 1), STARLING_NOT_READY);
}

static void test_blob_errors(void) {
  const qnet_ref_model m = fitting_model();
  size_t k;
  CHECK(m.blob_size + 4 <= sizeof g_buf.b);
  CHECK_EQ_INT(starling_qnet_load(NULL, m.blob, m.blob_size), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_qnet_load(&g_net, NULL, m.blob_size), STARLING_INVALID_ARGUMENT);
  check_not_ready(&g_net);
  /* Misaligned: the int32 sections are read in place. */
  memcpy(g_buf.b + 1, m.blob, m.blob_size);
  CHECK_EQ_INT(starling_qnet_load(&g_net, g_buf.b + 1, m.blob_size), STARLING_INVALID_ARGUMENT);
  /* Aligned copy loads; every flipped byte inside the blob is refused. */
  memcpy(g_buf.b, m.blob, m.blob_size);
  CHECK_EQ_INT(starling_qnet_load(&g_net, g_buf.b, m.blob_size), STARLING_OK);
  for (k = 0; k < m.blob_size; k += 7) {
    g_buf.b[k] ^= 0x20;
    CHECK_EQ_INT(starling_qnet_load(&g_net, g_buf.b, m.blob_size), STARLING_CORRUPT);
    check_not_ready(&g_net);
    g_buf.b[k] ^= 0x20;
  }
  /* Truncated, empty. */
  CHECK_EQ_INT(starling_qnet_load(&g_net, g_buf.b, m.blob_size - 4), STARLING_CORRUPT);
  CHECK_EQ_INT(starling_qnet_load(&g_net, g_buf.b, 0), STARLING_CORRUPT);
  CHECK_EQ_INT(starling_qnet_load(&g_net, g_buf.b, m.blob_size), STARLING_OK);
  CHECK_EQ_INT(starling_qnet_input_dim(&g_net), m.input_dim);
}

static void test_capacities(void) {
  const qnet_ref_model m = qnet_ref_get(0); /* "a": 4 layers */
  static union {
    starling_qnet net;
    unsigned char bytes[STARLING_QNET_SIZE(8, 4096)];
  } big;
  const size_t need = m.arena_bytes_1;
  /* Too few layers: valid blob, CAPACITY_EXCEEDED, not ready. */
  CHECK_EQ_INT(starling_qnet_load_capacity(&big.net, sizeof big, 3, 4096, m.blob, m.blob_size),
               STARLING_CAPACITY_EXCEEDED);
  check_not_ready(&big.net);
  CHECK_EQ_INT(starling_qnet_load_capacity(&big.net, sizeof big, 4, 4096, m.blob, m.blob_size),
               STARLING_OK);
  /* The arena: one byte short of one sample, exactly one, and three. */
  CHECK_EQ_INT(
      starling_qnet_load_capacity(&big.net, sizeof big, 8, need - 1, m.blob, m.blob_size),
      STARLING_CAPACITY_EXCEEDED);
  check_not_ready(&big.net);
  CHECK_EQ_INT(starling_qnet_load_capacity(&big.net, sizeof big, 8, need, m.blob, m.blob_size),
               STARLING_OK);
  CHECK_EQ_INT(starling_qnet_max_batches(&big.net), 1);
  CHECK_EQ_INT(starling_qnet_run(&big.net, g_in, g_out_c, 2), STARLING_CAPACITY_EXCEEDED);
  CHECK_EQ_INT(
      starling_qnet_load_capacity(&big.net, sizeof big, 8, 3 * need + 1, m.blob, m.blob_size),
      STARLING_OK);
  CHECK_EQ_INT(starling_qnet_max_batches(&big.net), 3);
  CHECK_EQ_INT(starling_qnet_run(&big.net, g_in, g_out_c, 3), STARLING_OK);
  CHECK_EQ_INT(starling_qnet_run(&big.net, g_in, g_out_c, 4), STARLING_CAPACITY_EXCEEDED);
  /* Capacities the library refuses, and a struct smaller than they need. */
  CHECK_EQ_INT(starling_qnet_load_capacity(&big.net, sizeof big, 0, 64, m.blob, m.blob_size),
               STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_qnet_load_capacity(&big.net, sizeof big, 65536, 64, m.blob, m.blob_size),
               STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_qnet_load_capacity(&big.net, STARLING_QNET_SIZE(8, 4096) - 8, 8, 4096,
                                           m.blob, m.blob_size),
               STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_qnet_load_capacity(&big.net, 8, 8, 4096, m.blob, m.blob_size),
               STARLING_INVALID_ARGUMENT);
  check_not_ready(&big.net);
}

static void test_run_arguments(void) {
  const qnet_ref_model m = fitting_model();
  int b;
  CHECK_EQ_INT(starling_qnet_load(&g_net, m.blob, m.blob_size), STARLING_OK);
  CHECK_EQ_INT(starling_qnet_run(NULL, g_in, g_out_c, 1), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_qnet_run(&g_net, NULL, g_out_c, 1), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_qnet_run(&g_net, g_in, NULL, 1), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_qnet_run(&g_net, g_in, g_out_c, 0), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_qnet_run(&g_net, g_in, g_out_c, -1), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_qnet_classify(NULL, g_in, g_cls_c, 1), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_qnet_classify(&g_net, g_in, NULL, 1), STARLING_INVALID_ARGUMENT);
  b = starling_qnet_max_batches(&g_net);
  CHECK(b >= 1);
  memset(g_out_c, 0x55, sizeof g_out_c);
  CHECK_EQ_INT(starling_qnet_run(&g_net, g_in, g_out_c, b + 1), STARLING_CAPACITY_EXCEEDED);
  CHECK_EQ_INT(g_out_c[0], 0x55); /* nothing written */
  CHECK_EQ_INT(starling_qnet_input_dim(NULL), 0);
  CHECK_EQ_INT(starling_qnet_arena_bytes(NULL, 1), 0);
}

static void test_not_ready_copy_corrupt(void) {
  const qnet_ref_model m = fitting_model();
  static starling_qnet zeroed, copy;
  check_not_ready(&zeroed);
  CHECK_EQ_INT(starling_qnet_load(&g_net, m.blob, m.blob_size), STARLING_OK);
  /* A copy points into the original: not ready until loaded again. */
  memcpy(&copy, &g_net, sizeof copy);
  check_not_ready(&copy);
  CHECK_EQ_INT(starling_qnet_load(&copy, m.blob, m.blob_size), STARLING_OK);
  CHECK_EQ_INT(starling_qnet_input_dim(&copy), m.input_dim);
  /* An overwritten header: corrupt. */
  copy.max_layers_ = 0;
  CHECK_EQ_INT(starling_qnet_run(&copy, g_in, g_out_c, 1), STARLING_CORRUPT);
  CHECK_EQ_INT(starling_qnet_input_dim(&copy), 0);
  copy.max_layers_ = STARLING_QNET_MAX_LAYERS;
  copy.size_ = 16;
  CHECK_EQ_INT(starling_qnet_classify(&copy, g_in, g_cls_c, 1), STARLING_CORRUPT);
  /* A failed load leaves a loaded struct not ready. */
  CHECK_EQ_INT(starling_qnet_load(&g_net, m.blob, 8), STARLING_CORRUPT);
  check_not_ready(&g_net);
}

/* The exporter's C header: its blob is the C++ header's, its macros are
 * what the loaded model reports, and it runs through the C API. */
static void test_exported_c_header(void) {
  int i, found = 0;
  int8_t q[EXPORTED_MODEL_INPUT_DIM];
  int8_t scores[EXPORTED_MODEL_OUTPUT_DIM];
  float y[EXPORTED_MODEL_OUTPUT_DIM];
  const float x[EXPORTED_MODEL_INPUT_DIM] = {0.5f, -1.0f, 2.0f, 1.25f};
  int cls = -1, cls_cpp = -1;
  for (i = 0; i < qnet_ref_count(); ++i) {
    const qnet_ref_model m = qnet_ref_get(i);
    if (strcmp(m.name, "exported_model") != 0) continue;
    found = 1;
    CHECK_EQ_INT(m.blob_size, EXPORTED_MODEL_BLOB_SIZE);
    CHECK(memcmp(m.blob, EXPORTED_MODEL_BLOB, EXPORTED_MODEL_BLOB_SIZE) == 0);
    CHECK_EQ_INT(m.arena_bytes_1, EXPORTED_MODEL_ARENA_BYTES);
    CHECK_EQ_INT(((uintptr_t)EXPORTED_MODEL_BLOB) % 4, 0);
    if (EXPORTED_MODEL_NUM_LAYERS > STARLING_QNET_MAX_LAYERS ||
        EXPORTED_MODEL_ARENA_BYTES > STARLING_QNET_ARENA_BYTES)
      continue;
    CHECK_EQ_INT(starling_qnet_load(&g_net, EXPORTED_MODEL_BLOB, EXPORTED_MODEL_BLOB_SIZE),
                 STARLING_OK);
    CHECK_EQ_INT(starling_qnet_input_dim(&g_net), EXPORTED_MODEL_INPUT_DIM);
    CHECK_EQ_INT(starling_qnet_output_dim(&g_net), EXPORTED_MODEL_OUTPUT_DIM);
    CHECK_EQ_INT(starling_qnet_num_layers(&g_net), EXPORTED_MODEL_NUM_LAYERS);
    CHECK_EQ_INT(starling_qnet_arena_bytes(&g_net, 1), EXPORTED_MODEL_ARENA_BYTES);
    CHECK_EQ_INT(starling_quantize_input(x, EXPORTED_MODEL_INPUT_DIM, EXPORTED_MODEL_INPUT_SCALE,
                                         EXPORTED_MODEL_INPUT_ZERO_POINT, q),
                 STARLING_OK);
    CHECK_EQ_INT(starling_qnet_run(&g_net, q, scores, 1), STARLING_OK);
    CHECK_EQ_INT(starling_qnet_classify(&g_net, q, &cls, 1), STARLING_OK);
    CHECK_EQ_INT(qnet_ref_run(i, q, 1, g_out_cpp, &cls_cpp), 0);
    CHECK(memcmp(scores, g_out_cpp, sizeof scores) == 0);
    CHECK_EQ_INT(cls, cls_cpp);
    CHECK_EQ_INT(starling_dequantize_output(scores, EXPORTED_MODEL_OUTPUT_DIM,
                                            EXPORTED_MODEL_OUTPUT_SCALE,
                                            EXPORTED_MODEL_OUTPUT_ZERO_POINT, y),
                 STARLING_OK);
    CHECK(y[cls] >= y[0] && y[cls] >= y[1] && y[cls] >= y[2]);
  }
  CHECK(found);
}

/* ---- quantization helpers -------------------------------------------------- */

static void test_quantize_hand_values(void) {
  /* scale 0.5 (exact): x / 0.5 = 2x; ties go away from zero. */
  const float x[] = {0.0f, 0.25f, -0.25f, 0.75f, -0.75f, 1.0f, 63.0f, 63.5f, -64.25f,
                     1e30f, -1e30f, (float)INFINITY, -(float)INFINITY, (float)NAN, -0.0f};
  const int8_t expect_zp0[] = {0, 1, -1, 2, -2, 2, 126, 127, -128, 127, -128, 127, -128, 0, 0};
  const int8_t expect_zp5[] = {5, 6, 4, 7, 3, 7, 127, 127, -124, 127, -128, 127, -128, 5, 5};
  int8_t q[15];
  float back[3];
  const int8_t qs[3] = {-128, 5, 127};
  const int n = (int)(sizeof x / sizeof x[0]);
  CHECK_EQ_INT(starling_quantize_input(x, n, 0.5f, 0, q), STARLING_OK);
  CHECK(memcmp(q, expect_zp0, sizeof q) == 0);
  CHECK_EQ_INT(starling_quantize_input(x, n, 0.5f, 5, q), STARLING_OK);
  CHECK(memcmp(q, expect_zp5, sizeof q) == 0);
  /* A float division, not a multiplication by 1/scale: 0.65f / 0.1f is
   * 6.4999995f (rounds to 6) where 0.65f * (1 / 0.1f) would be 6.5f (7). */
  {
    const float y = 0.65f;
    CHECK_EQ_INT(starling_quantize_input(&y, 1, 0.1f, -7, q), STARLING_OK);
    CHECK_EQ_INT(q[0], -1);
  }
  CHECK_EQ_INT(starling_dequantize_output(qs, 3, 0.1f, 5, back), STARLING_OK);
  CHECK_EQ_INT(float_bits(back[0]), float_bits(0.1f * -133.0f));
  CHECK_EQ_INT(float_bits(back[1]), float_bits(0.0f));
  CHECK_EQ_INT(float_bits(back[2]), float_bits(0.1f * 122.0f));
}

static void test_quantize_matches_cpp(void) {
  static float x[512], y_c[512], y_cpp[512];
  static int8_t q_c[512], q_cpp[512];
  int k, zp;
  for (k = 0; k < 512; ++k) {
    g_lcg = g_lcg * 1664525u + 1013904223u;
    x[k] = ((float)(g_lcg >> 8) / 16777216.0f - 0.5f) * 30.0f;
  }
  for (zp = -128; zp <= 127; zp += 51) {
    const float scales[] = {0.0137f, 0.1f, 1.0f / 128, 3.75f};
    int s;
    for (s = 0; s < 4; ++s) {
      CHECK_EQ_INT(starling_quantize_input(x, 512, scales[s], zp, q_c), STARLING_OK);
      CHECK_EQ_INT(qnet_ref_quantize(x, 512, scales[s], zp, q_cpp), 0);
      CHECK(memcmp(q_c, q_cpp, sizeof q_c) == 0);
      CHECK_EQ_INT(starling_dequantize_output(q_c, 512, scales[s], zp, y_c), STARLING_OK);
      CHECK_EQ_INT(qnet_ref_dequantize(q_c, 512, scales[s], zp, y_cpp), 0);
      CHECK(memcmp(y_c, y_cpp, sizeof y_c) == 0);
    }
  }
}

static void test_quantize_errors(void) {
  float x[2] = {1.0f, 2.0f};
  int8_t q[2] = {9, 9};
  CHECK_EQ_INT(starling_quantize_input(x, 2, 0.0f, 0, q), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_quantize_input(x, 2, -1.0f, 0, q), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_quantize_input(x, 2, (float)NAN, 0, q), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_quantize_input(x, 2, (float)INFINITY, 0, q), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_quantize_input(x, 2, 1.0f, 128, q), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_quantize_input(x, 2, 1.0f, -129, q), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_quantize_input(x, -1, 1.0f, 0, q), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_quantize_input(NULL, 2, 1.0f, 0, q), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_quantize_input(x, 2, 1.0f, 0, NULL), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(q[0], 9); /* nothing written on failure */
  CHECK_EQ_INT(starling_quantize_input(NULL, 0, 1.0f, 0, NULL), STARLING_OK);
  CHECK_EQ_INT(starling_dequantize_output(q, 2, 0.0f, 0, x), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_dequantize_output(q, 2, 1.0f, 200, x), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_dequantize_output(NULL, 2, 1.0f, 0, x), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_dequantize_output(q, 2, 1.0f, 0, NULL), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(float_bits(x[0]), float_bits(1.0f));
}

int main(void) {
  printf("QNet C API, STARLING_QNET_MAX_LAYERS=%d STARLING_QNET_ARENA_BYTES=%d, "
         "sizeof(starling_qnet)=%lu\n",
         STARLING_QNET_MAX_LAYERS, STARLING_QNET_ARENA_BYTES, (unsigned long)sizeof(starling_qnet));
  RUN(test_sizes);
  RUN(test_models_match_cpp);
  RUN(test_models_match_python);
  RUN(test_op_sets);
  RUN(test_blob_errors);
  RUN(test_capacities);
  RUN(test_run_arguments);
  RUN(test_not_ready_copy_corrupt);
  RUN(test_exported_c_header);
  RUN(test_quantize_hand_values);
  RUN(test_quantize_matches_cpp);
  RUN(test_quantize_errors);
  return check_summary();
}
