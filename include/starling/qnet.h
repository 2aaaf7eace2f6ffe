/* SPDX-License-Identifier: MIT */
/* starling/qnet.h: the C API (C99 and C++) of the int8 network evaluator,
 * for C firmware that runs a QNet model blob (docs/c_api.md).
 *
 * The same evaluator as starling::QNetCore over a model loaded by
 * starling::load_qmodel (starling/qnet.hpp, starling/qmodel.hpp): the same
 * validation, the same output bytes, on every port, for every model the C++
 * QNet runs (fully-connected chains, and convolution / depthwise / pooling /
 * add / softmax / reshape / mean graphs). Its whole state is one struct the
 * caller declares (static memory or the stack); the library never
 * allocates. The model blob is used in place (zero copy: weights stay in
 * flash) and must stay valid and unchanged while the struct is used.
 *
 *   #define STARLING_QNET_MAX_LAYERS 4       // optional, before the include
 *   #define STARLING_QNET_ARENA_BYTES 256
 *   #include "starling/qnet.h"
 *
 *   static starling_qnet net;
 *   if (starling_qnet_load(&net, model_blob, sizeof model_blob) != STARLING_OK) ...
 *   int8_t q[4];  int cls;
 *   starling_quantize_input(x, 4, MODEL_INPUT_SCALE, MODEL_INPUT_ZERO_POINT, q);
 *   if (starling_qnet_classify(&net, q, &cls, 1) == STARLING_OK) use(cls);
 *
 * (tools/export_qnet.py --c-header writes model_blob and the MODEL_* macros
 * of a fully-connected model; tools/tflite_import.py --header those of an
 * int8 .tflite model, including MODEL_ARENA_BYTES, MODEL_LAYERS and
 * MODEL_OPS.)
 *
 * Op sets: starling_qnet_load() runs the layer kinds of the library's
 * default (starling::qnet_default_ops(): every kind on an operating
 * system, fully-connected / LUT / argmax chains on firmware, so that a
 * firmware image links no convolution code). A firmware that runs a
 * convolutional model names its kinds with starling_qnet_load_ops() (e.g.
 * MODEL_OPS from tools/tflite_import.py, or STARLING_QNET_OPS_ALL); that
 * entry links the code of every kind (about 13 KB of flash on a Cortex-M4;
 * the C++ QNet<N, Ops> links only the kinds it names).
 *
 * Capacity: STARLING_QNET_MAX_LAYERS (default 8) layer descriptors and
 * STARLING_QNET_ARENA_BYTES (default 512) bytes of scratch arena, fixed at
 * compile time in the caller's translation unit (they need not match the
 * values the library was built with: starling_qnet_load() is an inline
 * function that hands them and sizeof(starling_qnet) to the library). Use
 * the same values in every translation unit that shares a starling_qnet.
 * The arena a model needs (starling_qnet_arena_bytes() once loaded) is, for
 * a straight fully-connected / LUT / argmax chain, 2·B·W bytes to run B
 * samples at once, W the widest layer output (the exporter's
 * MODEL_ARENA_BYTES is 2·W); for any other model, what the planner of
 * QNetCore::init lays out: 12·layers bytes of plan, B times the bytes of
 * the tensors alive at once, and the convolution scratch
 * (tools/tflite_import.py writes it for B = 1 as MODEL_ARENA_BYTES).
 *
 * Memory: sizeof(starling_qnet) = STARLING_QNET_SIZE(L, A) =
 *   16 + (STARLING_QNET_CORE_BYTES + L·STARLING_QNET_LAYER_BYTES + A), the
 * part in parentheses rounded up to a multiple of 8; CORE holds the
 * evaluator and its op-set table, LAYER one layer descriptor: on 32-bit
 * targets CORE = 128 and LAYER = 160 bytes, on 64-bit ones 224 and 224
 * (defaults, 32-bit: 1,936 bytes).
 *
 * Threads: none; a starling_qnet must not be used by two threads at once.
 * The struct holds pointers into itself: a copy (memcpy, assignment) is not
 * ready (STARLING_NOT_READY) until loaded again.
 *
 * Failure modes: every function accepts NULL (0 results, or
 * STARLING_INVALID_ARGUMENT). A struct never loaded successfully (zeroed
 * static memory, stack garbage, a failed load) is "not ready"; one whose
 * header was overwritten is STARLING_CORRUPT, as for starling_pso.
 */
#ifndef STARLING_QNET_H
#define STARLING_QNET_H

#include <stddef.h>
#include <stdint.h>

#include "starling/starling.h" /* starling_status */

#ifndef STARLING_QNET_MAX_LAYERS
/** Layer descriptors a starling_qnet holds (default 8; define it before the
 *  include to change it, in [1, 65535]). */
#define STARLING_QNET_MAX_LAYERS 8
#endif
#ifndef STARLING_QNET_ARENA_BYTES
/** Bytes of scratch arena a starling_qnet holds (default 512; define it
 *  before the include to change it, in [0, 2^30]). */
#define STARLING_QNET_ARENA_BYTES 512
#endif
#if STARLING_QNET_MAX_LAYERS < 1 || STARLING_QNET_MAX_LAYERS > 65535
#error "STARLING_QNET_MAX_LAYERS must be in [1, 65535] (the blob format's layer count)"
#endif
#if STARLING_QNET_ARENA_BYTES < 0 || STARLING_QNET_ARENA_BYTES > 1073741824
#error "STARLING_QNET_ARENA_BYTES must be in [0, 2^30]"
#endif

/** Bytes reserved for the C++ evaluator (starling::QNetCore) and its op-set
 *  table (starling::QOpResolver); the library checks at compile time that
 *  they fit (whoever grows those types raises this). */
#define STARLING_QNET_CORE_BYTES (24u * sizeof(void*) + 32u)
/** Bytes reserved for one layer descriptor (starling::QLayer), checked by
 *  the library at compile time like STARLING_QNET_CORE_BYTES. */
#define STARLING_QNET_LAYER_BYTES (16u * sizeof(void*) + 96u)
/** Bytes of the opaque storage for l layers and a bytes of arena, rounded up to 8. */
#define STARLING_QNET_STORAGE_BYTES(l, a) \
  ((STARLING_QNET_CORE_BYTES + (l) * STARLING_QNET_LAYER_BYTES + (a) + 7u) / 8u * 8u)
/** sizeof(starling_qnet) for capacities l (layers) and a (arena bytes). */
#define STARLING_QNET_SIZE(l, a) (16u + STARLING_QNET_STORAGE_BYTES(l, a))

/* Op sets: bits of an op set for starling_qnet_load_ops(), the values of
 * starling::QOps and of the MODEL_OPS macro tools/tflite_import.py writes:
 * the bit of each layer kind is 1 << its kind number in the blob format
 * (starling::QLayerKind). */
/** The planned path: any model that is not a straight fully-connected /
 *  LUT / argmax chain over a flat input (implied by every kind outside the
 *  chain). */
#define STARLING_QNET_OP_GRAPH 0x1u
/** Fully-connected layers (always enabled). */
#define STARLING_QNET_OP_FULLY_CONNECTED 0x2u
/** Look-up-table activations (always enabled). */
#define STARLING_QNET_OP_LUT 0x4u
/** A trailing argmax (always enabled). */
#define STARLING_QNET_OP_ARGMAX 0x8u
/** 2-D convolution. */
#define STARLING_QNET_OP_CONV2D 0x10u
/** Depthwise 2-D convolution. */
#define STARLING_QNET_OP_DEPTHWISE_CONV2D 0x20u
/** Average pooling. */
#define STARLING_QNET_OP_AVG_POOL2D 0x40u
/** Max pooling. */
#define STARLING_QNET_OP_MAX_POOL2D 0x80u
/** Element-wise add of two tensors (residual graphs). */
#define STARLING_QNET_OP_ADD 0x100u
/** Softmax. */
#define STARLING_QNET_OP_SOFTMAX 0x200u
/** Reshape (no code of its own beyond the planned path). */
#define STARLING_QNET_OP_RESHAPE 0x400u
/** Mean over height and width. */
#define STARLING_QNET_OP_MEAN 0x800u
/** Fully-connected / LUT / argmax chains: what every op set runs. */
#define STARLING_QNET_OPS_CHAIN \
  (STARLING_QNET_OP_FULLY_CONNECTED | STARLING_QNET_OP_LUT | STARLING_QNET_OP_ARGMAX)
/** Every layer kind and the planned path (starling::kQOpsAll). */
#define STARLING_QNET_OPS_ALL 0xfffu
/** The library's default op set (what starling_qnet_load() runs). */
#define STARLING_QNET_OPS_DEFAULT 0u

#ifdef __cplusplus
extern "C" {
#endif

/** A loaded network. Declare it (static or on the stack) and pass it to
 *  starling_qnet_load(); do not touch its fields. Its size is
 *  STARLING_QNET_SIZE(STARLING_QNET_MAX_LAYERS, STARLING_QNET_ARENA_BYTES). */
typedef struct starling_qnet {
  uint32_t magic_;       /**< private: set by a successful load; anything else = not ready */
  int32_t max_layers_;   /**< private: the caller's layer capacity, stored by load */
  uint32_t arena_bytes_; /**< private: the caller's arena capacity, stored by load */
  uint32_t size_;        /**< private: sizeof(starling_qnet) in the caller's translation unit */
  union {
    uint64_t align_u64_; /* 8-byte alignment for the C++ objects */
    double align_f64_;
    void* align_ptr_;
    unsigned char bytes_[STARLING_QNET_STORAGE_BYTES(STARLING_QNET_MAX_LAYERS,
                                                     STARLING_QNET_ARENA_BYTES)];
  } storage_;           /**< private: the C++ evaluator, op-set table, layers and arena */
} starling_qnet;

/** The library entry behind starling_qnet_load(): the same, with the
 *  caller's capacities and sizeof(*net) explicit. Returns, besides the
 *  statuses of starling_qnet_load(), STARLING_INVALID_ARGUMENT when
 *  max_layers is outside [1, 65535], arena_bytes above 2^30, or net_size
 *  smaller than STARLING_QNET_SIZE(max_layers, arena_bytes). */
starling_status starling_qnet_load_capacity(starling_qnet* net, size_t net_size, int max_layers,
                                            size_t arena_bytes, const uint8_t* blob,
                                            size_t size);

/** Validates a model blob (the format of starling/qmodel.hpp, written by
 *  tools/export_qnet.py and tools/qnet_blob.py) exactly as
 *  starling::load_qmodel does (header, CRC-32, every record, section and
 *  parameter range; nothing outside [blob, blob + size) is read) and makes
 *  *net ready to run it. The blob is used in place: it must be 4-byte
 *  aligned and outlive every use of *net. Loading again replaces the model.
 *  Returns:
 *    STARLING_INVALID_ARGUMENT: net or blob NULL, blob not 4-byte aligned;
 *    STARLING_CORRUPT: the blob fails any check (a model too large for the
 *      kernels counts as corrupt);
 *    STARLING_CAPACITY_EXCEEDED: valid, but more layers than
 *      STARLING_QNET_MAX_LAYERS, an arena need (the planned bytes for one
 *      sample) above STARLING_QNET_ARENA_BYTES, or a layer kind outside the
 *      op set (the default's here: on firmware, anything but a
 *      fully-connected / LUT / argmax chain; use starling_qnet_load_ops());
 *    STARLING_OK.
 *  On failure *net is not ready. Time O(size) (one CRC pass). */
static inline starling_status starling_qnet_load(starling_qnet* net, const uint8_t* blob,
                                                 size_t size) {
  return starling_qnet_load_capacity(net, sizeof(starling_qnet), STARLING_QNET_MAX_LAYERS,
                                     STARLING_QNET_ARENA_BYTES, blob, size);
}

/** starling_qnet_load_capacity() with an op set: `ops` is a union of
 *  STARLING_QNET_OP_* bits (the chain kinds are always added, and the
 *  planned path when any other kind is; unknown bits are ignored), or
 *  STARLING_QNET_OPS_DEFAULT for the library's default. A model that needs
 *  a kind `ops` lacks is STARLING_CAPACITY_EXCEEDED (after its structure
 *  and CRC are checked), as the C++ QNet with that op set. Links the code
 *  of every layer kind. Otherwise as starling_qnet_load_capacity(). */
starling_status starling_qnet_load_capacity_ops(starling_qnet* net, size_t net_size,
                                                int max_layers, size_t arena_bytes,
                                                uint32_t ops, const uint8_t* blob, size_t size);

/** starling_qnet_load() with an op set (see starling_qnet_load_capacity_ops):
 *  e.g. `starling_qnet_load_ops(&net, MODEL_OPS, model_blob, sizeof
 *  model_blob)` for a model imported by tools/tflite_import.py. Same
 *  statuses as starling_qnet_load(). */
static inline starling_status starling_qnet_load_ops(starling_qnet* net, uint32_t ops,
                                                     const uint8_t* blob, size_t size) {
  return starling_qnet_load_capacity_ops(net, sizeof(starling_qnet), STARLING_QNET_MAX_LAYERS,
                                         STARLING_QNET_ARENA_BYTES, ops, blob, size);
}

/** The op set the loaded network runs (STARLING_QNET_OP_* bits, the chain
 *  kinds always included); 0 when NULL or not ready. */
uint32_t starling_qnet_ops(const starling_qnet* net);

/** int8 values per input sample; 0 when NULL or not ready. */
int starling_qnet_input_dim(const starling_qnet* net);
/** int8 values per output sample of starling_qnet_run() (the scores before a
 *  trailing argmax layer); 0 when NULL or not ready. */
int starling_qnet_output_dim(const starling_qnet* net);
/** Layers of the loaded model (a trailing argmax included); 0 when NULL or
 *  not ready. */
int starling_qnet_num_layers(const starling_qnet* net);
/** Largest `batches` this struct's arena allows; 0 when NULL or not ready. */
int starling_qnet_max_batches(const starling_qnet* net);
/** Arena bytes the loaded model needs to run `batches` samples at once
 *  (QNetCore::arena_bytes: 2·batches·W for a chain, W the widest layer
 *  output; the planned layout for other models; SIZE_MAX if that
 *  overflows); 0 when NULL, not ready or batches < 1. */
size_t starling_qnet_arena_bytes(const starling_qnet* net, int batches);

/** Runs the network on `batches` samples: input [batches][input_dim],
 *  output [batches][output_dim] int8, the bytes starling::QNetCore::run
 *  writes (TFLite int8 arithmetic). input and output must not overlap each
 *  other or *net. Returns STARLING_INVALID_ARGUMENT for NULL pointers or
 *  batches < 1, STARLING_NOT_READY before a successful load (or on a copy),
 *  STARLING_CORRUPT if the header was overwritten, STARLING_CAPACITY_EXCEEDED
 *  when batches > starling_qnet_max_batches() (nothing written then),
 *  STARLING_OK. Time: batches·(Σ multiply-adds of the fully-connected and
 *  convolution layers + Σ LUT, pooling, add, softmax and mean elements). */
starling_status starling_qnet_run(starling_qnet* net, const int8_t* input, int8_t* output,
                                  int batches);

/** Runs the network and writes, per sample, the index of the largest final
 *  score into classes[b] (argmax; the first index on ties, as TFLite's
 *  ARG_MAX), in [0, output_dim). Works with or without a trailing argmax
 *  layer. Same statuses as starling_qnet_run(). */
starling_status starling_qnet_classify(starling_qnet* net, const int8_t* input, int* classes,
                                       int batches);

/** STARLING_QNET_SIZE(max_layers, arena_bytes), computed by the library; 0
 *  for capacities starling_qnet_load_capacity() refuses. */
size_t starling_qnet_size(int max_layers, size_t arena_bytes);

/* ---- Quantization of inputs and outputs (starling::quantize_input) ----- */

/** q[i] = clamp(round(x[i] / scale) + zero_point, -128, 127) for i < n: the
 *  division in float, rounding half away from zero (TFLite's QUANTIZE);
 *  NaN gives zero_point, ±inf saturate. scale and zero_point are the
 *  model's input quantization (the exporter's MODEL_INPUT_SCALE and
 *  MODEL_INPUT_ZERO_POINT). Returns STARLING_INVALID_ARGUMENT (nothing
 *  written) for n < 0, NULL x or q with n > 0, scale not finite and > 0, or
 *  zero_point outside [-128, 127]; STARLING_OK. O(n). */
starling_status starling_quantize_input(const float* x, int n, float scale, int32_t zero_point,
                                        int8_t* q);

/** x[i] = scale · (q[i] − zero_point) for i < n, rounded once to float
 *  (TFLite's DEQUANTIZE); scale and zero_point are the model's output
 *  quantization (MODEL_OUTPUT_SCALE, MODEL_OUTPUT_ZERO_POINT). Same statuses
 *  as starling_quantize_input(). O(n). */
starling_status starling_dequantize_output(const int8_t* q, int n, float scale,
                                           int32_t zero_point, float* x);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STARLING_QNET_H */
