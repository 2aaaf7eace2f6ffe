// SPDX-License-Identifier: MIT
// QNet's planned path (tensor graphs: arena plan, forward pass) and the op
// resolver entries of the graph layer kinds. QNetCore reaches all of it only
// through a QOpResolver, so an image whose resolver enables no graph kind
// links none of this file (--gc-sections).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <climits>
#include <cstring>

#include "starling/detail/qnet_graph.hpp"
#include "starling/layers.hpp"
#include "starling/qnet.hpp"

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

uint32_t rd_plan(const int8_t* head, int t, size_t word) noexcept {
  uint32_t v = 0;
  std::memcpy(&v, head + (static_cast<size_t>(t) - 1) * kPlanEntryBytes + 4 * word, 4);
  return v;
}
void wr_plan(int8_t* head, int t, size_t word, uint32_t v) noexcept {
  std::memcpy(head + (static_cast<size_t>(t) - 1) * kPlanEntryBytes + 4 * word, &v, 4);
}

size_t sat_add(size_t a, size_t b) noexcept {
  return a > static_cast<size_t>(-1) - b ? static_cast<size_t>(-1) : a + b;
}

// ---- the graph kinds' checks and runs (QOpKernel entries) ----

Status check_conv(const QLayer& l, const QShape& in, const QShape&, QShape* out) noexcept {
  const ConvParams& p = l.op.conv;
  if (p.batches != 1 || l.weights == nullptr) return Status::InvalidArgument;
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (!same(in, QShape{p.in_h, p.in_w, p.in_c})) return Status::InvalidArgument;
  *out = QShape{p.out_h, p.out_w, p.out_c};
  return check_out(*out);
}
Status run_conv(const QLayer& l, const int8_t* src, const int8_t*, int8_t* dst, int batches,
                void* scratch, size_t scratch_bytes) noexcept {
  ConvParams p = l.op.conv;
  p.batches = batches;
  return conv2d_s8(p, src, l.weights, l.bias, dst, scratch, scratch_bytes);
}
size_t scratch_conv(const QLayer& l) noexcept { return conv2d_s8_scratch_size(l.op.conv); }

Status check_dw(const QLayer& l, const QShape& in, const QShape&, QShape* out) noexcept {
  const DepthwiseParams& p = l.op.dw;
  if (p.batches != 1 || l.weights == nullptr) return Status::InvalidArgument;
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (!same(in, QShape{p.in_h, p.in_w, p.in_c})) return Status::InvalidArgument;
  *out = QShape{p.out_h, p.out_w, p.out_c};
  return check_out(*out);
}
Status run_dw(const QLayer& l, const int8_t* src, const int8_t*, int8_t* dst, int batches, void*,
              size_t) noexcept {
  DepthwiseParams p = l.op.dw;
  p.batches = batches;
  return depthwise_conv2d_s8(p, src, l.weights, l.bias, dst);
}

Status check_pool(const QLayer& l, const QShape& in, const QShape&, QShape* out) noexcept {
  const PoolParams& p = l.op.pool;
  if (p.batches != 1) return Status::InvalidArgument;
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (!same(in, QShape{p.in_h, p.in_w, p.channels})) return Status::InvalidArgument;
  *out = QShape{p.out_h, p.out_w, p.channels};
  return check_out(*out);
}
Status run_avg_pool(const QLayer& l, const int8_t* src, const int8_t*, int8_t* dst, int batches,
                    void*, size_t) noexcept {
  PoolParams p = l.op.pool;
  p.batches = batches;
  return avg_pool2d_s8(p, src, dst);
}
Status run_max_pool(const QLayer& l, const int8_t* src, const int8_t*, int8_t* dst, int batches,
                    void*, size_t) noexcept {
  PoolParams p = l.op.pool;
  p.batches = batches;
  return max_pool2d_s8(p, src, dst);
}

Status check_add(const QLayer& l, const QShape& in, const QShape& in2, QShape* out) noexcept {
  const Status s = validate(l.op.add);
  if (s != Status::Ok) return s;
  if (!same(in, in2) || l.op.add.size != elems(in)) return Status::InvalidArgument;
  *out = in;
  return Status::Ok;
}
Status run_add(const QLayer& l, const int8_t* src, const int8_t* src2, int8_t* dst, int batches,
               void*, size_t) noexcept {
  AddParams p = l.op.add;
  p.size *= batches;  // <= INT_MAX: max_batches bounds every tensor
  return add_s8(p, src, src2, dst);
}

Status check_softmax(const QLayer& l, const QShape& in, const QShape&, QShape* out) noexcept {
  const SoftmaxParams& p = l.op.softmax;
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (p.cols != in.c || static_cast<long long>(p.rows) != static_cast<long long>(in.h) * in.w) {
    return Status::InvalidArgument;
  }
  *out = in;
  return Status::Ok;
}
Status run_softmax(const QLayer& l, const int8_t* src, const int8_t*, int8_t* dst, int batches,
                   void*, size_t) noexcept {
  SoftmaxParams p = l.op.softmax;
  p.rows *= batches;
  return softmax_s8(p, src, dst);
}

Status check_reshape(const QLayer& l, const QShape& in, const QShape&, QShape* out) noexcept {
  const QShape& o = l.op.shape;
  if (o.h < 1 || o.w < 1 || o.c < 1 || elems(o) != elems(in)) return Status::InvalidArgument;
  *out = o;
  return Status::Ok;
}
// The bytes stay where they are (the plan makes a Reshape an alias of its
// input); only a Reshape that is the last layer copies them out.
Status run_reshape(const QLayer& l, const int8_t* src, const int8_t*, int8_t* dst, int batches,
                   void*, size_t) noexcept {
  if (dst != src) {
    std::memmove(dst, src, static_cast<size_t>(elems(l.op.shape)) * static_cast<size_t>(batches));
  }
  return Status::Ok;
}

Status check_mean(const QLayer& l, const QShape& in, const QShape&, QShape* out) noexcept {
  const MeanParams& p = l.op.mean;
  if (p.batches != 1) return Status::InvalidArgument;
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (!same(in, QShape{p.in_h, p.in_w, p.channels})) return Status::InvalidArgument;
  *out = QShape{1, 1, p.channels};
  return Status::Ok;
}
Status run_mean(const QLayer& l, const int8_t* src, const int8_t*, int8_t* dst, int batches, void*,
                size_t) noexcept {
  MeanParams p = l.op.mean;
  p.batches = batches;
  return mean_s8(p, src, dst);
}

}  // namespace

namespace detail {

const QOpKernel kQOpConv2D = {check_conv, run_conv, scratch_conv};
const QOpKernel kQOpDepthwiseConv2D = {check_dw, run_dw, nullptr};
const QOpKernel kQOpAvgPool2D = {check_pool, run_avg_pool, nullptr};
const QOpKernel kQOpMaxPool2D = {check_pool, run_max_pool, nullptr};
const QOpKernel kQOpAdd = {check_add, run_add, nullptr};
const QOpKernel kQOpSoftmax = {check_softmax, run_softmax, nullptr};
const QOpKernel kQOpReshape = {check_reshape, run_reshape, nullptr};
const QOpKernel kQOpMean = {check_mean, run_mean, nullptr};

// The planned path; a friend of QNetCore.
struct QNetGraph {
  static Status validate(const QModel& m, const QOpResolver& ops) noexcept {
    for (int i = 0; i < m.num_layers; ++i) {
      const QLayer& l = m.layers[i];
      const int s1 = source(l, i);
      if (s1 < 0 || s1 > i) return Status::InvalidArgument;
      const bool add = l.kind == QLayerKind::Add;
      if (add && (l.input2 < 0 || l.input2 > i)) return Status::InvalidArgument;
      QShape out{0, 0, 0};
      const Status s = qnet_check_graph_layer(l, i, shape_of(m, s1),
                                              add ? shape_of(m, l.input2) : QShape{0, 0, 0},
                                              i == m.num_layers - 1, &out, ops);
      if (s != Status::Ok) return s;
    }
    return Status::Ok;
  }

  // The plan lives in the arena's first 12·n bytes, three uint32 per tensor
  // t in [1, n] (the output of layer t − 1):
  //   word 0: offset of one sample in the tensor area (kAtInput: the input's bytes)
  //   word 1: bytes per sample (0 for an alias: Reshape, Argmax)
  //   word 2: while planning, an alias's root tensor or a root's last reader
  static Status plan(QNetCore& net, size_t arena_bytes) noexcept {
    const QModel& model = net.model_;
    const int n = model.num_layers;
    const size_t head = static_cast<size_t>(n) * kPlanEntryBytes;  // n <= INT_MAX: no overflow on 64-bit
    if (static_cast<size_t>(n) > static_cast<size_t>(-1) / kPlanEntryBytes || arena_bytes < head) {
      net.required_ = qnet_arena_bytes(model, 1);
      return Status::CapacityExceeded;
    }
    int8_t* h = net.arena_;
    const int final_t = net.compute_layers_;  // the tensor run() returns (0: the input)
    // Sizes and roots, in layer order (a source always precedes its reader).
    for (int t = 1; t <= n; ++t) {
      const QLayer& l = model.layers[t - 1];
      wr_plan(h, t, 0, kUnplaced);
      if (is_alias(l.kind)) {
        const int src = source(l, t - 1);
        const uint32_t root =
            src == 0 ? 0u : (rd_plan(h, src, 1) == 0 ? rd_plan(h, src, 2) : static_cast<uint32_t>(src));
        wr_plan(h, t, 1, 0);
        wr_plan(h, t, 2, root);
      } else {
        wr_plan(h, t, 1, static_cast<uint32_t>(elems(shape_of(model, t))));
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
      const QLayer& l = model.layers[i];
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
        net.required_ = static_cast<size_t>(-1);
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
    long long widest = model.input_dim;
    for (int t = 1; t <= n; ++t) {
      const QLayer& l = model.layers[t - 1];
      const unsigned k = static_cast<unsigned>(l.kind);
      const QOpKernel* op = k < 12 ? net.ops_->kernels[k] : nullptr;
      if (op != nullptr && op->scratch != nullptr) {
        const size_t s = op->scratch(l);
        if (s > scratch) scratch = s;
      }
      const long long e = elems(shape_of(model, t));
      if (e > widest) widest = e;
    }
    net.tensor_bytes_ = total;
    net.scratch_ = scratch;
    net.out_dim_ = static_cast<int>(elems(shape_of(model, final_t)));
    net.required_ = sat_add(sat_add(head, total), scratch);
    if (arena_bytes < net.required_) return Status::CapacityExceeded;
    size_t max_b = static_cast<size_t>(INT_MAX) / static_cast<size_t>(widest);
    if (total > 0 && (arena_bytes - head - scratch) / total < max_b) {
      max_b = (arena_bytes - head - scratch) / total;
    }
    net.max_batches_ = static_cast<int>(max_b);
    return Status::Ok;
  }

  // Where tensor t (0 = input) of `batches` samples lives.
  static int8_t* tensor_ptr(const QNetCore& net, const int8_t* input, int t, int batches) noexcept {
    // The input is the caller's (const) buffer; it is only ever read through
    // the pointer returned for it.
    if (t == 0) return const_cast<int8_t*>(input);
    const uint32_t off = rd_plan(net.arena_, t, 0);
    if (off == kAtInput) return const_cast<int8_t*>(input);
    const size_t head = static_cast<size_t>(net.model_.num_layers) * kPlanEntryBytes;
    return net.arena_ + head + static_cast<size_t>(off) * static_cast<size_t>(batches);
  }

  static Status forward(QNetCore& net, const int8_t* input, int8_t* last_out, int batches,
                        const int8_t** result) noexcept {
    const QModel& model = net.model_;
    const size_t b = static_cast<size_t>(batches);
    const size_t head = static_cast<size_t>(model.num_layers) * kPlanEntryBytes;
    void* scratch = net.scratch_ > 0 ? net.arena_ + head + net.tensor_bytes_ * b : nullptr;
    for (int i = 0; i < net.compute_layers_; ++i) {
      const QLayer& l = model.layers[i];
      const int8_t* src = tensor_ptr(net, input, source(l, i), batches);
      const bool last = i == net.compute_layers_ - 1;
      int8_t* slot = tensor_ptr(net, input, i + 1, batches);
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
        default: {  // init's validation found the kind's kernel in the resolver
          const QOpKernel* op = net.ops_->kernels[static_cast<unsigned>(l.kind)];
          const int8_t* src2 = l.kind == QLayerKind::Add ? tensor_ptr(net, input, l.input2, batches)
                                                          : nullptr;
          s = op->run(l, src, src2, dst, batches, scratch, net.scratch_);
          break;
        }
      }
      if (s != Status::Ok) return s;  // unreachable after init's validation
    }
    *result = net.compute_layers_ == 0 ? input
              : last_out != nullptr    ? last_out
                                       : tensor_ptr(net, input, net.compute_layers_, batches);
    return Status::Ok;
  }
};

const QGraphRuntime kQGraphRuntime = {QNetGraph::validate, QNetGraph::plan, QNetGraph::forward};

Status qnet_check_graph_layer(const QLayer& l, int index, const QShape& in, const QShape& in2,
                              bool last, QShape* out, const QOpResolver& ops) noexcept {
  if (out == nullptr || index < 0) return Status::InvalidArgument;
  const int s1 = source(l, index);
  if (s1 < 0 || s1 > index) return Status::InvalidArgument;
  if (l.kind != QLayerKind::Add && l.input2 != 0) return Status::InvalidArgument;
  if (in.h < 1 || in.w < 1 || in.c < 1 || elems(in) > INT_MAX) return Status::InvalidArgument;
  switch (l.kind) {
    case QLayerKind::FullyConnected:
    case QLayerKind::Lut:
    case QLayerKind::Argmax: {
      int w = 0;
      const Status s = qnet_check_layer(l, static_cast<int>(elems(in)), last, &w);
      if (s != Status::Ok) return s;
      *out = l.kind == QLayerKind::FullyConnected ? QShape{1, 1, w} : in;
      return Status::Ok;
    }
    case QLayerKind::Conv2D:
    case QLayerKind::DepthwiseConv2D:
    case QLayerKind::AvgPool2D:
    case QLayerKind::MaxPool2D:
    case QLayerKind::Add:
    case QLayerKind::Softmax:
    case QLayerKind::Reshape:
    case QLayerKind::Mean: {
      const QOpKernel* op = ops.kernels[static_cast<unsigned>(l.kind)];
      if (op == nullptr) return Status::CapacityExceeded;  // not in this op set
      if (l.kind == QLayerKind::Add && (l.input2 < 0 || l.input2 > index)) {
        return Status::InvalidArgument;
      }
      return op->check(l, in, in2, out);
    }
  }
  return Status::InvalidArgument;
}

}  // namespace detail

namespace {
constexpr QOpResolver kAllOps = qnet_resolver(kQOpsAll);
}  // namespace

Status qnet_validate(const QModel& model) noexcept { return qnet_validate(model, kAllOps); }

}  // namespace starling
