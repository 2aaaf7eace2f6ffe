// SPDX-License-Identifier: MIT
// QNet: int8 network over a ping-pong or planned arena; mean_s8; LUT
// builders; lattice helper.
#include "starling/qnet.hpp"

#include <climits>
#include <cmath>
#include <cstring>

namespace starling {

namespace {

constexpr size_t kPlanWords = 3;  // per layer: offset, size, root/last use
constexpr size_t kPlanEntryBytes = 4 * kPlanWords;
constexpr uint32_t kAtInput = 0xFFFFFFFFu;  // a tensor that is the network input's bytes
constexpr uint32_t kUnplaced = 0xFFFFFFFEu;

int source(const QLayer& l, int i) noexcept { return l.input == kQPrevious ? i : l.input; }

bool is_alias(QLayerKind k) noexcept {
  return k == QLayerKind::Reshape || k == QLayerKind::Argmax;
}

long long elems(const QShape& s) noexcept {
  return static_cast<long long>(s.h) * s.w * s.c;
}

bool same(const QShape& a, const QShape& b) noexcept {
  return a.h == b.h && a.w == b.w && a.c == b.c;
}

QShape input_shape(const QModel& m) noexcept {
  if (m.input_h == 0 && m.input_w == 0 && m.input_c == 0) return QShape{1, 1, m.input_dim};
  return QShape{m.input_h, m.input_w, m.input_c};
}

// The shape of tensor t (0 = input) of a model whose layers before t are
// valid: walks back through layers that keep their input's shape.
QShape shape_of(const QModel& m, int t) noexcept {
  while (t > 0) {
    const QLayer& l = m.layers[t - 1];
    switch (l.kind) {
      case QLayerKind::FullyConnected: return QShape{1, 1, l.fc.out_dim};
      case QLayerKind::Conv2D: return QShape{l.op.conv.out_h, l.op.conv.out_w, l.op.conv.out_c};
      case QLayerKind::DepthwiseConv2D: return QShape{l.op.dw.out_h, l.op.dw.out_w, l.op.dw.out_c};
      case QLayerKind::AvgPool2D:
      case QLayerKind::MaxPool2D:
        return QShape{l.op.pool.out_h, l.op.pool.out_w, l.op.pool.channels};
      case QLayerKind::Reshape: return l.op.shape;
      case QLayerKind::Mean: return QShape{1, 1, l.op.mean.channels};
      default: t = source(l, t - 1); break;  // Lut, Argmax, Add, Softmax
    }
  }
  return input_shape(m);
}

// Checks the output shape a layer produces: positive and addressable as int.
Status check_out(const QShape& s) noexcept {
  if (s.h < 1 || s.w < 1 || s.c < 1) return Status::InvalidArgument;
  return elems(s) > INT_MAX ? Status::CapacityExceeded : Status::Ok;
}

Status check_graph_layer(const QModel& m, int i) noexcept {
  const QLayer& l = m.layers[i];
  const int s1 = source(l, i);
  if (s1 < 0 || s1 > i) return Status::InvalidArgument;
  const bool add = l.kind == QLayerKind::Add;
  if (add && (l.input2 < 0 || l.input2 > i)) return Status::InvalidArgument;
  QShape out{0, 0, 0};
  return detail::qnet_check_graph_layer(l, i, shape_of(m, s1), add ? shape_of(m, l.input2) : QShape{0, 0, 0},
                                        i == m.num_layers - 1, &out);
}

uint32_t rd_plan(const int8_t* head, int t, size_t word) noexcept {
  uint32_t v = 0;
  std::memcpy(&v, head + (static_cast<size_t>(t) - 1) * kPlanEntryBytes + 4 * word, 4);
  return v;
}
void wr_plan(int8_t* head, int t, size_t word, uint32_t v) noexcept {
  std::memcpy(head + (static_cast<size_t>(t) - 1) * kPlanEntryBytes + 4 * word, &v, 4);
}

// Adds without overflow: SIZE_MAX on overflow.
size_t sat_add(size_t a, size_t b) noexcept {
  return a > static_cast<size_t>(-1) - b ? static_cast<size_t>(-1) : a + b;
}
size_t sat_mul(size_t a, size_t b) noexcept {
  return b != 0 && a > static_cast<size_t>(-1) / b ? static_cast<size_t>(-1) : a * b;
}

}  // namespace

namespace detail {

Status qnet_check_layer(const QLayer& layer, int width, bool last, int* out_width) noexcept {
  if (out_width == nullptr || width < 1) return Status::InvalidArgument;
  switch (layer.kind) {
    case QLayerKind::FullyConnected: {
      if (layer.fc.in_dim != width || layer.weights == nullptr) return Status::InvalidArgument;
      const Status s = validate(layer.fc);
      if (s != Status::Ok) return s;
      *out_width = layer.fc.out_dim;
      return Status::Ok;
    }
    case QLayerKind::Lut:
      if (layer.dim != width || layer.lut == nullptr) return Status::InvalidArgument;
      *out_width = width;
      return Status::Ok;
    case QLayerKind::Argmax:
      if (layer.dim != width || !last) return Status::InvalidArgument;
      *out_width = width;
      return Status::Ok;
    default:
      break;
  }
  return Status::InvalidArgument;
}

Status qnet_check_graph_layer(const QLayer& l, int index, const QShape& in, const QShape& in2,
                              bool last, QShape* out) noexcept {
  if (out == nullptr || index < 0) return Status::InvalidArgument;
  const int s1 = source(l, index);
  if (s1 < 0 || s1 > index) return Status::InvalidArgument;
  if (l.kind != QLayerKind::Add && l.input2 != 0) return Status::InvalidArgument;
  if (in.h < 1 || in.w < 1 || in.c < 1 || elems(in) > INT_MAX) return Status::InvalidArgument;
  const int count = static_cast<int>(elems(in));
  Status s = Status::Ok;
  switch (l.kind) {
    case QLayerKind::FullyConnected:
    case QLayerKind::Lut:
    case QLayerKind::Argmax: {
      int w = 0;
      if ((s = qnet_check_layer(l, count, last, &w)) != Status::Ok) return s;
      *out = l.kind == QLayerKind::FullyConnected ? QShape{1, 1, w} : in;
      return Status::Ok;
    }
    case QLayerKind::Conv2D: {
      const ConvParams& p = l.op.conv;
      if (p.batches != 1 || l.weights == nullptr) return Status::InvalidArgument;
      if ((s = validate(p)) != Status::Ok) return s;
      if (!same(in, QShape{p.in_h, p.in_w, p.in_c})) return Status::InvalidArgument;
      *out = QShape{p.out_h, p.out_w, p.out_c};
      return check_out(*out);
    }
    case QLayerKind::DepthwiseConv2D: {
      const DepthwiseParams& p = l.op.dw;
      if (p.batches != 1 || l.weights == nullptr) return Status::InvalidArgument;
      if ((s = validate(p)) != Status::Ok) return s;
      if (!same(in, QShape{p.in_h, p.in_w, p.in_c})) return Status::InvalidArgument;
      *out = QShape{p.out_h, p.out_w, p.out_c};
      return check_out(*out);
    }
    case QLayerKind::AvgPool2D:
    case QLayerKind::MaxPool2D: {
      const PoolParams& p = l.op.pool;
      if (p.batches != 1) return Status::InvalidArgument;
      if ((s = validate(p)) != Status::Ok) return s;
      if (!same(in, QShape{p.in_h, p.in_w, p.channels})) return Status::InvalidArgument;
      *out = QShape{p.out_h, p.out_w, p.channels};
      return check_out(*out);
    }
    case QLayerKind::Add:
      if (l.input2 < 0 || l.input2 > index) return Status::InvalidArgument;
      if ((s = validate(l.op.add)) != Status::Ok) return s;
      if (!same(in, in2) || l.op.add.size != count) return Status::InvalidArgument;
      *out = in;
      return Status::Ok;
    case QLayerKind::Softmax: {
      const SoftmaxParams& p = l.op.softmax;
      if ((s = validate(p)) != Status::Ok) return s;
      if (p.cols != in.c || static_cast<long long>(p.rows) != static_cast<long long>(in.h) * in.w) {
        return Status::InvalidArgument;
      }
      *out = in;
      return Status::Ok;
    }
    case QLayerKind::Reshape: {
      const QShape& o = l.op.shape;
      if (o.h < 1 || o.w < 1 || o.c < 1 || elems(o) != count) return Status::InvalidArgument;
      *out = o;
      return Status::Ok;
    }
    case QLayerKind::Mean: {
      const MeanParams& p = l.op.mean;
      if (p.batches != 1) return Status::InvalidArgument;
      if ((s = validate(p)) != Status::Ok) return s;
      if (!same(in, QShape{p.in_h, p.in_w, p.channels})) return Status::InvalidArgument;
      *out = QShape{1, 1, p.channels};
      return Status::Ok;
    }
  }
  return Status::InvalidArgument;
}

}  // namespace detail

Status validate(const MeanParams& p) noexcept {
  if (p.batches < 1 || p.in_h < 1 || p.in_w < 1 || p.channels < 1) return Status::InvalidArgument;
  if (p.input_offset < -127 || p.input_offset > 128 || p.output_offset < -128 ||
      p.output_offset > 127 || p.multiplier < 0 || p.shift < kMinShift || p.shift > kMaxShift) {
    return Status::InvalidArgument;
  }
  const long long window = static_cast<long long>(p.in_h) * p.in_w;
  if (window > kPoolMaxWindow) return Status::CapacityExceeded;
  const long long total = window * p.channels;
  if (total > PTRDIFF_MAX / p.batches) return Status::CapacityExceeded;
  return Status::Ok;
}

Status mean_s8(const MeanParams& p, const int8_t* input, int8_t* output) noexcept {
  const Status st = validate(p);
  if (st != Status::Ok) return st;
  if (input == nullptr || output == nullptr) return Status::InvalidArgument;
  const int32_t n = p.in_h * p.in_w;  // <= kPoolMaxWindow
  // The reference folds 1/n into the multiplier: s = floor(log2 n), capped
  // so that the product fits and the new shift stays >= -31.
  int s = 31 - __builtin_clz(static_cast<unsigned>(n));
  if (s > 32) s = 32;
  if (s > 31 + p.shift) s = 31 + p.shift;
  const int32_t mult =
      static_cast<int32_t>((static_cast<int64_t>(p.multiplier) << s) / static_cast<int64_t>(n));
  const int shift = p.shift - s;
  const size_t hw = static_cast<size_t>(n);
  const size_t c = static_cast<size_t>(p.channels);
  for (size_t b = 0; b < static_cast<size_t>(p.batches); ++b) {
    const int8_t* in = input + b * hw * c;
    for (size_t ch = 0; ch < c; ++ch) {
      // |sum| <= 128·2^20 and |offset·n| <= 128·2^20: exact in int32.
      int32_t sum = 0;
      for (size_t k = 0; k < hw; ++k) sum += in[k * c + ch];
      sum += p.input_offset * n;
      int32_t v = requantize(sum, mult, shift);
      v = static_cast<int32_t>(static_cast<uint32_t>(v) + static_cast<uint32_t>(p.output_offset));
      output[b * c + ch] = static_cast<int8_t>(v < -128 ? -128 : v > 127 ? 127 : v);
    }
  }
  return Status::Ok;
}

Status qnet_validate(const QModel& model) noexcept {
  if (model.layers == nullptr || model.num_layers < 1 || model.input_dim < 1) {
    return Status::InvalidArgument;
  }
  const bool flat = model.input_h == 0 && model.input_w == 0 && model.input_c == 0;
  if (!flat && (model.input_h < 1 || model.input_w < 1 || model.input_c < 1 ||
                elems(QShape{model.input_h, model.input_w, model.input_c}) != model.input_dim)) {
    return Status::InvalidArgument;
  }
  if (detail::qnet_is_chain(model)) {
    int width = model.input_dim;
    for (int i = 0; i < model.num_layers; ++i) {
      int next = 0;
      const Status s =
          detail::qnet_check_layer(model.layers[i], width, i == model.num_layers - 1, &next);
      if (s != Status::Ok) return s;
      width = next;
    }
    return Status::Ok;
  }
  for (int i = 0; i < model.num_layers; ++i) {
    const Status s = check_graph_layer(model, i);
    if (s != Status::Ok) return s;
  }
  return Status::Ok;
}

Status QNetCore::init(const QModel& model, int8_t* arena, size_t arena_bytes) noexcept {
  ready_ = false;
  required_ = 0;
  const Status s = qnet_validate(model);
  if (s != Status::Ok) return s;
  if (arena == nullptr && arena_bytes > 0) return Status::InvalidArgument;

  model_ = model;
  arena_ = arena;
  const bool trailing_argmax = model.layers[model.num_layers - 1].kind == QLayerKind::Argmax;
  compute_layers_ = model.num_layers - (trailing_argmax ? 1 : 0);
  graph_ = !detail::qnet_is_chain(model);
  if (graph_) {
    const Status ps = plan(arena_bytes);
    if (ps != Status::Ok) return ps;
    ready_ = true;
    return Status::Ok;
  }

  const size_t need = qnet_arena_bytes(model, 1);
  required_ = need;
  if (arena_bytes < need) return Status::CapacityExceeded;
  int width = model.input_dim;
  for (int i = 0; i < compute_layers_; ++i) {
    const QLayer& l = model.layers[i];
    width = l.kind == QLayerKind::FullyConnected ? l.fc.out_dim : l.dim;
  }
  out_dim_ = width;
  width_ = need / 2;
  // The widest of input, activations and output bounds batches·width so that
  // every index the kernels form stays within int.
  int widest = model.input_dim;
  for (int i = 0; i < model.num_layers; ++i) {
    const QLayer& l = model.layers[i];
    const int w = l.kind == QLayerKind::FullyConnected ? l.fc.out_dim : l.dim;
    if (w > widest) widest = w;
  }
  size_t max_b = static_cast<size_t>(INT_MAX) / static_cast<size_t>(widest);
  if (need > 0 && arena_bytes / need < max_b) max_b = arena_bytes / need;
  max_batches_ = static_cast<int>(max_b);
  ready_ = true;
  return Status::Ok;
}

// The plan lives in the arena's first 12·n bytes, three uint32 per tensor
// t in [1, n] (the output of layer t − 1):
//   word 0: offset of one sample in the tensor area (kAtInput: the input's bytes)
//   word 1: bytes per sample (0 for an alias: Reshape, Argmax)
//   word 2: while planning, an alias's root tensor or a root's last reader
Status QNetCore::plan(size_t arena_bytes) noexcept {
  const int n = model_.num_layers;
  const size_t head = static_cast<size_t>(n) * kPlanEntryBytes;  // n <= INT_MAX: no overflow on 64-bit
  if (static_cast<size_t>(n) > static_cast<size_t>(-1) / kPlanEntryBytes || arena_bytes < head) {
    required_ = qnet_arena_bytes(model_, 1);
    return Status::CapacityExceeded;
  }
  int8_t* h = arena_;
  const int final_t = compute_layers_;  // the tensor run() returns (0: the input)
  // Sizes and roots, in layer order (a source always precedes its reader).
  for (int t = 1; t <= n; ++t) {
    const QLayer& l = model_.layers[t - 1];
    wr_plan(h, t, 0, kUnplaced);
    if (is_alias(l.kind)) {
      const int src = source(l, t - 1);
      const uint32_t root =
          src == 0 ? 0u : (rd_plan(h, src, 1) == 0 ? rd_plan(h, src, 2) : static_cast<uint32_t>(src));
      wr_plan(h, t, 1, 0);
      wr_plan(h, t, 2, root);
    } else {
      wr_plan(h, t, 1, static_cast<uint32_t>(elems(shape_of(model_, t))));
      wr_plan(h, t, 2, static_cast<uint32_t>(t - 1));  // written by layer t − 1
    }
  }
  auto root_of = [&](int t) -> int {
    if (t == 0) return 0;
    return rd_plan(h, t, 1) == 0 ? static_cast<int>(rd_plan(h, t, 2)) : t;
  };
  // Last reader of each root: the layers that read it or an alias of it; the
  // final tensor stays alive to the end (classify reads it).
  for (int i = 0; i < n; ++i) {
    const QLayer& l = model_.layers[i];
    const int reads[2] = {source(l, i), l.kind == QLayerKind::Add ? l.input2 : 0};
    for (int r : reads) {
      const int root = root_of(r);
      if (root > 0 && rd_plan(h, root, 2) < static_cast<uint32_t>(i)) {
        wr_plan(h, root, 2, static_cast<uint32_t>(i));
      }
    }
  }
  if (root_of(final_t) > 0) wr_plan(h, root_of(final_t), 2, static_cast<uint32_t>(n));
  // Greedy placement, largest first (ties: lowest tensor), each at the lowest
  // offset that overlaps no placed tensor alive at the same time.
  size_t total = 0;
  for (;;) {
    int pick = 0;
    uint32_t pick_size = 0;
    for (int t = 1; t <= n; ++t) {
      const uint32_t sz = rd_plan(h, t, 1);
      if (sz > pick_size && rd_plan(h, t, 0) == kUnplaced) {
        pick = t;
        pick_size = sz;
      }
    }
    if (pick == 0) break;
    const uint32_t first = static_cast<uint32_t>(pick - 1), last = rd_plan(h, pick, 2);
    auto conflicts = [&](int u) {
      const uint32_t uf = static_cast<uint32_t>(u - 1), ul = rd_plan(h, u, 2);
      return rd_plan(h, u, 1) != 0 && rd_plan(h, u, 0) != kUnplaced && uf <= last && first <= ul;
    };
    uint64_t best = UINT64_MAX;
    for (int c = 0; c <= n; ++c) {  // candidate 0, then the end of each conflicting tensor
      if (c > 0 && !conflicts(c)) continue;
      const uint64_t at = c == 0 ? 0 : static_cast<uint64_t>(rd_plan(h, c, 0)) + rd_plan(h, c, 1);
      if (at >= best) continue;
      bool fits = true;
      for (int u = 1; u <= n && fits; ++u) {
        if (!conflicts(u)) continue;
        const uint64_t uo = rd_plan(h, u, 0), ue = uo + rd_plan(h, u, 1);
        fits = at + pick_size <= uo || ue <= at;
      }
      if (fits) best = at;
    }
    // Offsets stay below Σ sizes <= n·INT_MAX; they must fit the 32-bit plan.
    if (best + pick_size > 0xFFFFFFF0u) {
      required_ = static_cast<size_t>(-1);
      return Status::CapacityExceeded;
    }
    wr_plan(h, pick, 0, static_cast<uint32_t>(best));
    if (best + pick_size > total) total = static_cast<size_t>(best + pick_size);
  }
  // Aliases take their root's offset (kAtInput for the network input).
  for (int t = 1; t <= n; ++t) {
    if (rd_plan(h, t, 1) != 0) continue;
    const int root = static_cast<int>(rd_plan(h, t, 2));
    wr_plan(h, t, 0, root == 0 ? kAtInput : rd_plan(h, root, 0));
  }
  size_t scratch = 0;
  long long widest = model_.input_dim;
  for (int t = 1; t <= n; ++t) {
    const QLayer& l = model_.layers[t - 1];
    if (l.kind == QLayerKind::Conv2D) {
      const size_t s = conv2d_s8_scratch_size(l.op.conv);
      if (s > scratch) scratch = s;
    }
    const long long e = elems(shape_of(model_, t));
    if (e > widest) widest = e;
  }
  tensor_bytes_ = total;
  scratch_ = scratch;
  out_dim_ = static_cast<int>(elems(shape_of(model_, final_t)));
  required_ = sat_add(sat_add(head, total), scratch);
  if (arena_bytes < required_) return Status::CapacityExceeded;
  size_t max_b = static_cast<size_t>(INT_MAX) / static_cast<size_t>(widest);
  if (total > 0 && (arena_bytes - head - scratch) / total < max_b) {
    max_b = (arena_bytes - head - scratch) / total;
  }
  max_batches_ = static_cast<int>(max_b);
  return Status::Ok;
}

size_t QNetCore::arena_bytes(int batches) const noexcept {
  if (!ready_ || batches < 1) return 0;
  const size_t b = static_cast<size_t>(batches);
  if (!graph_) return sat_mul(sat_mul(width_, 2), b);
  const size_t head = static_cast<size_t>(model_.num_layers) * kPlanEntryBytes;
  return sat_add(sat_add(head, sat_mul(tensor_bytes_, b)), scratch_);
}

const int8_t* QNetCore::tensor_ptr(const int8_t* input, int t, int batches) const noexcept {
  if (t == 0) return input;
  const uint32_t off = rd_plan(arena_, t, 0);
  if (off == kAtInput) return input;
  const size_t head = static_cast<size_t>(model_.num_layers) * kPlanEntryBytes;
  return arena_ + head + static_cast<size_t>(off) * static_cast<size_t>(batches);
}

Status QNetCore::forward_graph(const int8_t* input, int8_t* last_out, int batches,
                               const int8_t** result) noexcept {
  const size_t b = static_cast<size_t>(batches);
  const size_t head = static_cast<size_t>(model_.num_layers) * kPlanEntryBytes;
  void* scratch = scratch_ > 0 ? arena_ + head + tensor_bytes_ * b : nullptr;
  for (int i = 0; i < compute_layers_; ++i) {
    const QLayer& l = model_.layers[i];
    const int8_t* src = tensor_ptr(input, source(l, i), batches);
    const bool last = i == compute_layers_ - 1;
    // The plan's slot; tensor_ptr gives a const view of the arena we own.
    int8_t* slot = const_cast<int8_t*>(tensor_ptr(input, i + 1, batches));
    int8_t* dst = last && last_out != nullptr ? last_out : slot;
    Status s = Status::Ok;
    switch (l.kind) {
      case QLayerKind::FullyConnected:
        s = fully_connected_s8(l.fc, src, l.weights, l.bias, dst, batches);
        break;
      case QLayerKind::Lut: {
        const size_t n = static_cast<size_t>(l.dim) * b;
        const int8_t* lut = l.lut;
        for (size_t j = 0; j < n; ++j) dst[j] = lut[src[j] + 128];
        break;
      }
      case QLayerKind::Conv2D: {
        ConvParams p = l.op.conv;
        p.batches = batches;
        s = conv2d_s8(p, src, l.weights, l.bias, dst, scratch, scratch_);
        break;
      }
      case QLayerKind::DepthwiseConv2D: {
        DepthwiseParams p = l.op.dw;
        p.batches = batches;
        s = depthwise_conv2d_s8(p, src, l.weights, l.bias, dst);
        break;
      }
      case QLayerKind::AvgPool2D:
      case QLayerKind::MaxPool2D: {
        PoolParams p = l.op.pool;
        p.batches = batches;
        s = l.kind == QLayerKind::AvgPool2D ? avg_pool2d_s8(p, src, dst) : max_pool2d_s8(p, src, dst);
        break;
      }
      case QLayerKind::Add: {
        AddParams p = l.op.add;
        p.size *= batches;  // <= INT_MAX: max_batches bounds every tensor
        s = add_s8(p, src, tensor_ptr(input, l.input2, batches), dst);
        break;
      }
      case QLayerKind::Softmax: {
        SoftmaxParams p = l.op.softmax;
        p.rows *= batches;
        s = softmax_s8(p, src, dst);
        break;
      }
      case QLayerKind::Mean: {
        MeanParams p = l.op.mean;
        p.batches = batches;
        s = mean_s8(p, src, dst);
        break;
      }
      default:  // Reshape: the bytes stay; the last layer copies them out
        if (dst != src) std::memmove(dst, src, static_cast<size_t>(out_dim_) * b);
        break;
    }
    if (s != Status::Ok) return s;  // unreachable after init's validation
  }
  *result = compute_layers_ == 0 ? input
            : last_out != nullptr ? last_out
                                  : tensor_ptr(input, compute_layers_, batches);
  return Status::Ok;
}

Status QNetCore::forward(const int8_t* input, int8_t* last_out, int batches,
                         const int8_t** result) noexcept {
  if (graph_) return forward_graph(input, last_out, batches, result);
  const size_t buf = width_ * static_cast<size_t>(batches);
  int8_t* ping[2] = {arena_, arena_ + buf};
  const int8_t* cur = input;
  int width = model_.input_dim;
  for (int i = 0; i < compute_layers_; ++i) {
    const QLayer& l = model_.layers[i];
    int8_t* dst = i == compute_layers_ - 1 ? last_out : ping[i & 1];
    if (l.kind == QLayerKind::FullyConnected) {
      const Status s = fully_connected_s8(l.fc, cur, l.weights, l.bias, dst, batches);
      if (s != Status::Ok) return s;  // unreachable after init's validation
      width = l.fc.out_dim;
    } else {
      const size_t n = static_cast<size_t>(width) * static_cast<size_t>(batches);
      const int8_t* lut = l.lut;
      for (size_t j = 0; j < n; ++j) dst[j] = lut[cur[j] + 128];
    }
    cur = dst;
  }
  *result = cur;  // the input itself when the model is only an Argmax
  return Status::Ok;
}

Status QNetCore::run(const int8_t* input, int8_t* output, int batches) noexcept {
  if (!ready_) return Status::NotReady;
  if (input == nullptr || output == nullptr || batches < 1) return Status::InvalidArgument;
  if (batches > max_batches_) return Status::CapacityExceeded;
  const int8_t* result = nullptr;
  const Status s = forward(input, output, batches, &result);
  if (s != Status::Ok) return s;
  if (result != output) {
    // Argmax-only model: the scores are the input.
    std::memmove(output, result, static_cast<size_t>(out_dim_) * static_cast<size_t>(batches));
  }
  return Status::Ok;
}

Status QNetCore::classify(const int8_t* input, int* cls, int batches) noexcept {
  if (!ready_) return Status::NotReady;
  if (input == nullptr || cls == nullptr || batches < 1) return Status::InvalidArgument;
  if (batches > max_batches_) return Status::CapacityExceeded;
  // Ping-pong: the last layer writes into whichever half the previous layer
  // did not (with one compute layer, the first half). Planned: the final
  // tensor stays in its slot.
  int8_t* last = graph_ ? nullptr
                        : arena_ + (compute_layers_ & 1 ? 0 : width_ * static_cast<size_t>(batches));
  const int8_t* scores = nullptr;
  const Status s = forward(input, last, batches, &scores);
  if (s != Status::Ok) return s;
  for (int b = 0; b < batches; ++b) {
    const int8_t* row = scores + static_cast<size_t>(b) * static_cast<size_t>(out_dim_);
    int best = 0;
    for (int i = 1; i < out_dim_; ++i) {
      if (row[i] > row[best]) best = i;
    }
    cls[b] = best;
  }
  return Status::Ok;
}

// ---------------------------------------------------------------------------

Status lut_params_check(float in_scale, int32_t in_zp, float out_scale,
                        int32_t out_zp) noexcept {
  // !(x > 0) also rejects NaN.
  if (!(in_scale > 0.0f) || !(out_scale > 0.0f) || std::isinf(in_scale) ||
      std::isinf(out_scale)) {
    return Status::InvalidArgument;
  }
  if (in_zp < -128 || in_zp > 127 || out_zp < -128 || out_zp > 127) {
    return Status::InvalidArgument;
  }
  return Status::Ok;
}

namespace detail {

int8_t lut_quantize(double y, float out_scale, int32_t out_zp) noexcept {
  double v = y / static_cast<double>(out_scale);
  if (std::isnan(v)) v = 0.0;
  // Anything beyond ±1024 saturates anyway; clamping first keeps the
  // conversion to int defined for ±inf and huge values.
  if (v > 1024.0) v = 1024.0;
  if (v < -1024.0) v = -1024.0;
  const int32_t q = static_cast<int32_t>(std::round(v)) + out_zp;  // round: ties away
  return static_cast<int8_t>(q < -128 ? -128 : q > 127 ? 127 : q);
}

}  // namespace detail

double portable_exp(double x) noexcept {
  if (std::isnan(x)) return x;
  if (x > 709.782712893384) return HUGE_VAL;
  if (x < -745.2) return 0.0;
  // x = k·ln2 + r with |r| <= ln2/2. ln2 is split Cody–Waite style (the
  // fdlibm constants): kLn2Hi has its low 21 bits zero, so k·kLn2Hi is exact
  // for every |k| <= 1075 reached here and r keeps full precision.
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double kd = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - kd * kLn2Hi) - kd * kLn2Lo;
  // Taylor series of e^r to r^14/14!: the first omitted term is below
  // 0.35^15/15! ≈ 1e-19, far under half an ulp.
  double p = 1.0 / 87178291200.0;  // 1/14!
  constexpr double kInvFact[14] = {
      1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
      1.0 / 362880.0,     1.0 / 40320.0,     1.0 / 5040.0,     1.0 / 720.0,
      1.0 / 120.0,        1.0 / 24.0,        1.0 / 6.0,        1.0 / 2.0,
      1.0,                1.0};
  for (double c : kInvFact) p = p * r + c;
  // ldexp is exact (or correctly rounded into the subnormals) everywhere.
  return std::ldexp(p, static_cast<int>(kd));
}

double portable_tanh(double x) noexcept {
  if (std::isnan(x)) return x;
  const double a = std::fabs(x);
  // tanh(22) rounds to 1 in double.
  const double t = a > 22.0 ? 1.0 : 1.0 - 2.0 / (portable_exp(2.0 * a) + 1.0);
  return x < 0 ? -t : t;
}

double portable_sigmoid(double x) noexcept {
  if (std::isnan(x)) return x;
  return 1.0 / (1.0 + portable_exp(-x));
}

Status make_tanh_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                     int8_t* lut) noexcept {
  return make_lut(in_scale, in_zp, out_scale, out_zp,
                  [](double x) { return portable_tanh(x); }, lut);
}

Status make_sigmoid_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                        int8_t* lut) noexcept {
  return make_lut(in_scale, in_zp, out_scale, out_zp,
                  [](double x) { return portable_sigmoid(x); }, lut);
}

Status make_step_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                     double threshold, double y_lo, double y_hi, int8_t* lut) noexcept {
  if (!std::isfinite(threshold) || !std::isfinite(y_lo) || !std::isfinite(y_hi)) {
    return Status::InvalidArgument;
  }
  return make_lut(in_scale, in_zp, out_scale, out_zp,
                  [=](double x) { return x >= threshold ? y_hi : y_lo; }, lut);
}

Status make_staircase_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                          int levels, double x_lo, double x_hi, double y_lo, double y_hi,
                          int8_t* lut) noexcept {
  if (levels < 2 || levels > 256 || !std::isfinite(x_lo) || !std::isfinite(x_hi) ||
      !(x_lo < x_hi) || !std::isfinite(y_lo) || !std::isfinite(y_hi)) {
    return Status::InvalidArgument;
  }
  const double n = static_cast<double>(levels);
  return make_lut(in_scale, in_zp, out_scale, out_zp,
                  [=](double x) {
                    double k = std::floor((x - x_lo) / (x_hi - x_lo) * n);
                    if (k < 0.0) k = 0.0;
                    if (k > n - 1.0) k = n - 1.0;
                    return y_lo + (y_hi - y_lo) * k / (n - 1.0);
                  },
                  lut);
}

void to_int8_lattice(const float* position, int n, int8_t* weights) noexcept {
  if (position == nullptr || weights == nullptr) return;
  for (int i = 0; i < n; ++i) {
    const float x = position[i];
    int8_t w = 0;  // NaN
    if (x >= 127.0f) {
      w = 127;
    } else if (x <= -127.0f) {
      w = -127;
    } else if (x == x) {
      w = static_cast<int8_t>(std::round(x));  // ties away from zero; |x| < 127 fits
    }
    weights[i] = w;
  }
}

}  // namespace starling
