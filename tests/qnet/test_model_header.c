/* SPDX-License-Identifier: MIT */
/* The header tools/tflite_import.py writes is C99: it compiles as C, and its
 * constants agree with the blob it carries (magic, version, input shape). */
#include <stdio.h>
#include <string.h>

#include "dscnn_model.h"

static unsigned u32(const uint8_t* p) {
  return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
}

int main(void) {
  int passed = 0, failed = 0;
#define EXPECT(c) ((c) ? ++passed : (++failed, printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c)))
  EXPECT(memcmp(dscnn_model_blob, "SQNT", 4) == 0);
  EXPECT(dscnn_model_blob[4] == 2 && dscnn_model_blob[5] == 0); /* format version 2 */
  EXPECT(u32(dscnn_model_blob + 12) == sizeof dscnn_model_blob); /* total_size */
  EXPECT(u32(dscnn_model_blob + 20) == DSCNN_MODEL_INPUT_H);
  EXPECT(u32(dscnn_model_blob + 24) == DSCNN_MODEL_INPUT_W);
  EXPECT(u32(dscnn_model_blob + 28) == DSCNN_MODEL_INPUT_C);
  EXPECT(DSCNN_MODEL_INPUT_SIZE == 49 * 10 * 1 && DSCNN_MODEL_OUTPUT_SIZE == 12);
  EXPECT((dscnn_model_blob[16] | dscnn_model_blob[17] << 8) == DSCNN_MODEL_LAYERS);
  EXPECT(DSCNN_MODEL_OUTPUT_SCALE == 1.0f / 256 && DSCNN_MODEL_OUTPUT_ZERO_POINT == -128);
  EXPECT(DSCNN_MODEL_INPUT_SCALE > 0.0f && DSCNN_MODEL_INPUT_ZERO_POINT >= -128 &&
         DSCNN_MODEL_INPUT_ZERO_POINT <= 127);
  EXPECT(((uintptr_t)dscnn_model_blob & 3u) == 0);
  EXPECT(DSCNN_MODEL_ARENA_BYTES > 0);
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
